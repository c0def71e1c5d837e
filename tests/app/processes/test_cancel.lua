-- §3.3: cancel delivers {kind=CANCEL, from=, reason=} and the target decides how to end.
local t = require("t")

local function main()
  local events = process.events()
  local p = process.spawn_monitored("app.processes:polite")
  t.eq(process.cancel(p, "time to go"), true, "process.cancel")
  local e = t.event(events, process.event.EXIT, p)
  t.eq(e.result.value, { from = process.pid(), reason = "time to go" }, "what the cancelled process saw")
  t.eq(process.event.CANCEL, "pid.cancel", "CANCEL constant")

  local ok, err = process.cancel("{apptest@app:processes|0xfffffff}")
  t.eq(ok, nil, "cancel of an unknown PID")
  t.contains(tostring(err), "not found", "cancel of an unknown PID")
  return true
end

return { main = main }
