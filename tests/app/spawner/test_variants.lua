-- §5: a spawner's spawn, spawn_linked, spawn_monitored, spawn_linked_monitored and exec
-- behave like the process functions (links/monitors before the child runs).
local t = require("t")

local function main()
  process.set_options({ trap_links = true })
  local events = process.events()
  local s = process.with_context({ v = 1 })

  local plain = s:spawn("app.processes:outcome", nil, "value", 1)
  t.ok(type(plain) == "string" and string.match(plain, t.pid_pattern("app:processes")) ~= nil, "spawn returned " .. t.show(plain))

  local mon = s:spawn_monitored("app.processes:outcome", nil, "value", "monitored")
  t.eq(t.event(events, process.event.EXIT, mon).result.value, "monitored", "spawn_monitored EXIT")

  local linked = s:spawn_linked("app.processes:outcome", nil, "crash_after", 10)
  t.eq(t.event(events, process.event.LINK_DOWN, linked).result.error:message(), "crash after 10ms", "spawn_linked LINK_DOWN")

  local both = s:spawn_linked_monitored("app.processes:outcome", nil, "raise", "both")
  local seen = {}
  while not (seen[process.event.EXIT] and seen[process.event.LINK_DOWN]) do
    local e = t.recv(events, "EXIT and LINK_DOWN from spawn_linked_monitored")
    if e.from == both then
      seen[e.kind] = e
    end
  end
  t.eq(seen[process.event.EXIT].result.error:message(), "both", "spawn_linked_monitored EXIT")
  t.eq(seen[process.event.LINK_DOWN].result.error:message(), "both", "spawn_linked_monitored LINK_DOWN")

  t.eq(s:exec("app.processes:outcome", nil, "value", { x = 1 }), { x = 1 }, "exec value")
  local v, err = s:exec("app.processes:outcome", nil, "raise", "exec failed")
  t.eq({ v, err and err:message() }, { nil, "exec failed" }, "exec error")
  local p, serr = s:spawn("app.spawner:no_such_entry")
  t.eq(p, nil, "spawn of a missing entry")
  t.err(serr, "NotFound", { "app.spawner:no_such_entry" }, "spawn of a missing entry")
  local far = s:exec("app.spawner:report", "app:other")
  t.eq(far.ctx, { v = 1 }, "exec on another host keeps the context")
  return true
end

return { main = main }
