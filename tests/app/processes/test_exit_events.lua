-- §3.3: a monitor receives {kind=EXIT, from=pid, result={value=...}} for a normal exit
-- and result.error for an error exit; the monitor is in place before the child runs.
local t = require("t")

local function main()
  local events = process.events()
  local good = process.spawn_monitored("app.processes:outcome", nil, "value", "done")
  local bad = process.spawn_monitored("app.processes:outcome", nil, "raise", "boom")
  local e = t.event(events, process.event.EXIT, good)
  t.eq(e.kind, "pid.exit", "EXIT kind constant")
  t.eq(e.result.value, "done", "EXIT value")
  t.eq(e.result.error, nil, "EXIT error of a normal exit")
  e = t.event(events, process.event.EXIT, bad)
  t.eq(e.result.value, nil, "EXIT value of an error exit")
  t.eq(e.result.error:message(), "boom", "EXIT error message")

  -- Monitoring at runtime.
  local waiter = process.spawn("app.processes:outcome", nil, "wait")
  t.eq(process.monitor(waiter), true, "process.monitor")
  process.send(waiter, "go", "released")
  e = t.event(events, process.event.EXIT, waiter)
  t.eq(e.result.value, "released", "EXIT value after runtime monitor")

  -- unmonitor: no EXIT afterwards.
  local w2 = process.spawn_monitored("app.processes:outcome", nil, "wait")
  t.eq(process.unmonitor(w2), true, "process.unmonitor")
  process.send(w2, "go", 1)
  t.eq(#t.drain(events, 100), 0, "events after unmonitor")
  return true
end

return { main = main }
