-- Runs under the `limited` scope and tries every operation SPEC §7.2 checks, allowed
-- and denied, returning what each answered. `test` is the PID of the test (on
-- app:processes, so sending to it is allowed); `tag` makes names unique.
local funcs = require("funcs")
local security = require("security")

-- {ok=first value} or {kind=, message=} of a `value, err` pair.
local function outcome(v, err)
  if err ~= nil then
    return { kind = err:kind(), message = err:message() }
  end
  return { ok = v }
end

local function main(test, tag)
  local r = {}
  -- Allowed: a target on app:other (to be denied against) and a victim here.
  local target, terr = process.spawn("app.security:target", "app:other", test)
  assert(target, tostring(terr))
  local victim, verr = process.spawn("app.security:victim")
  assert(victim, tostring(verr))
  r.target = target

  -- process.send
  r.send_ok = outcome(process.send(test, "probe_hello", tag))
  r.send_denied = outcome(process.send(target, "should_not_arrive", 1))

  -- process.spawn (deny policy wins over the app.security:* allow; outside it: no allow)
  r.spawn_forbidden = outcome(process.spawn("app.security:forbidden", nil, test))
  r.spawn_outside = outcome(process.spawn("app.processes:outcome", nil, "value", 1))

  -- cancel / link / monitor / terminate: denied on app:other, allowed here.
  r.cancel_denied = outcome(process.cancel(target, "no"))
  r.link_denied = outcome(process.link(target))
  r.monitor_denied = outcome(process.monitor(target))
  r.terminate_denied = outcome(process.terminate(target))
  r.cancel_ok = outcome(process.cancel(victim, "fine"))
  r.link_ok = outcome(process.link(victim))
  r.unlink_ok = outcome(process.unlink(victim))
  r.monitor_ok = outcome(process.monitor(victim))
  r.terminate_ok = outcome(process.terminate(victim))
  local events = process.events()
  while true do
    local e = events:receive()
    if e.kind == process.event.EXIT and e.from == victim then
      r.victim_exit = e.result.error and e.result.error:message()
      break
    end
  end

  -- process.registry.register
  r.register_ok = outcome(process.registry.register("sec.ok." .. tag))
  r.register_denied = outcome(process.registry.register("sec.no." .. tag))
  r.denied_name_bound = process.registry.lookup("sec.no." .. tag) ~= nil
  -- A spawner's with_name is checked the same way.
  local named, nerr = process.with_context({}):with_name("sec.ok.named." .. tag):spawn("app.security:victim")
  r.named_spawn_ok = outcome(named and true, nerr)
  r.named_bound = named ~= nil and process.registry.lookup("sec.ok.named." .. tag) == named
  if named then
    process.terminate(named)
  end
  -- As Wippy, a spawner's permission denial raises.
  local sok, serr = pcall(function()
    return process.with_context({}):with_name("sec.no.named." .. tag):spawn("app.security:victim")
  end)
  r.named_spawn_denied = sok and { ok = serr } or { raised = true, message = tostring(serr) }
  r.named_denied_bound = process.registry.lookup("sec.no.named." .. tag) ~= nil

  -- funcs.call (the called function inherits actor and scope)
  r.call_ok = outcome(funcs.call("app.security:fn_ok"))
  r.call_denied = outcome(funcs.call("app.security:fn_denied", test))
  r.call_cond = outcome(funcs.call("app.security:fn_cond"))
  local f, ferr = funcs.async("app.security:fn_denied", test)
  r.async_denied = outcome(f, ferr)

  r.can = {
    spawn_target = security.can("process.spawn", "app.security:target"),
    spawn_forbidden = security.can("process.spawn", "app.security:forbidden"),
    send_other = security.can("process.send", target),
    call_denied = security.can("funcs.call", "app.security:fn_denied"),
  }
  return r
end

return { main = main }
