-- A process whose behaviour the tests pick with `mode` (first argument); `parent` is the
-- test's PID where it reports (topic "report").
local function report(parent, v)
  process.send(parent, "report", v)
end

local function main(mode, parent, arg)
  if mode == "value" then
    return arg
  elseif mode == "error" then
    return nil, errors.new({ message = arg, kind = "Custom" })
  elseif mode == "raise" then
    error(arg, 0)
  elseif mode == "return_string" then
    return nil, arg
  elseif mode == "id" then
    return process.id()
  elseif mode == "wait_cancel" then
    local events = process.events()
    report(parent, "ready")
    local e = events:receive()
    report(parent, { kind = e.kind, from = e.from, at = e.at, reason = e.reason })
    return "canceled"
  elseif mode == "block" then
    report(parent, "ready")
    process.inbox():receive()
    return "unblocked"
  elseif mode == "from" then
    -- Reports the sender, topic and tostring of the first inbox message.
    local m = process.inbox():receive()
    report(parent, { from = m:from(), topic = m:topic(), text = tostring(m) })
    return "done"
  elseif mode == "coroutine_fail" then
    coroutine.spawn(function()
      error("coroutine boom", 0)
    end)
    process.inbox():receive()
    return "not reached"
  elseif mode == "trap" then
    -- Traps links, links to a child that fails, reports the LINK_DOWN event.
    process.set_options({ trap_links = true })
    local events = process.events()
    local child = process.spawn_linked("app.process:worker", nil, "raise", nil, "linked failure")
    while true do
      local e = events:receive()
      if e.kind == process.event.LINK_DOWN then
        report(parent, {
          kind = e.kind, from = e.from, at = e.at, child = child,
          err_kind = e.result and e.result.error and e.result.error:kind(),
          err_msg = e.result and e.result.error and e.result.error:message(),
          reason = e.reason,
        })
        return "trapped"
      end
    end
  end
  error("worker: unknown mode " .. tostring(mode), 0)
end

return { main = main }
