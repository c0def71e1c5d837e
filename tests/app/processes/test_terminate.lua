-- §3.3: terminate kills the target (an error exit), which then is gone.
local t = require("t")

local function main()
  local events = process.events()
  local p = process.spawn_monitored("app.processes:outcome", nil, "wait")
  t.eq(process.terminate(p), true, "process.terminate")
  local e = t.event(events, process.event.EXIT, p)
  t.eq(e.result.value, nil, "value of a terminated process")
  t.ok(e.result.error ~= nil, "a terminated process must exit with an error")
  t.contains(e.result.error:message(), "terminated", "exit reason of a terminated process")
  local ok, err = process.send(p, "x", 1)
  t.eq(ok, nil, "send to a terminated process")
  t.contains(tostring(err), "not found", "send to a terminated process")
  ok, err = process.terminate(p)
  t.eq(ok, nil, "terminate of a dead process")
  t.contains(tostring(err), "not found", "terminate of a dead process")
  return true
end

return { main = main }
