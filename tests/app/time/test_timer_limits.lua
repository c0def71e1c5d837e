-- Timers cost against the process's limits (SPEC §3.6): every live timer is charged to its
-- max_memory, so a process cannot hold unbounded timers. Runs a child with a small limit
-- that makes timers forever; it fails naming max_memory, and this process carries on.
local t = require("t")
local time = require("time")

return { main = function()
  local pid = process.spawn_monitored("app.time:timer_hog", "app:processes")
  local e = t.event(process.events(), process.event.EXIT, pid, 30000)
  t.ok(e.result and e.result.error, "the timer hog ended without an error")
  t.contains(tostring(e.result.error), "max_memory", "the hog's exit")
  -- Still keeping time.
  t.recv(time.after("5ms"), "after() in the surviving process")
  return true
end }
