-- Timers cost against the process's limits (SPEC §3.6): every live timer is charged to its
-- max_memory. A child with an 8 MiB limit keeps timers forever and reports how many it
-- has: it fails naming max_memory long before its Lua heap alone would stop it (each timer
-- is charged 512 bytes; its Lua objects are under 100). A timer nobody can reach any more
-- stops costing once collected: a child making 200,000 unread after() channels (about
-- 100 MiB if they were kept) lives within a 64 MiB limit.
local t = require("t")
local time = require("time")

return { main = function()
  local inbox = process.inbox()
  local events = process.events()
  local hog = process.spawn_monitored("app.time:timer_hog", "app:processes", process.pid())
  local made = 0
  while true do
    local r = channel.select({ inbox:case_receive(), events:case_receive(), time.after("30s"):case_receive() })
    t.ok(r.channel ~= nil and (r.channel == inbox or r.channel == events), "timed out waiting for the hog")
    if r.channel == inbox then
      made = r.value:payload():data()
    elseif r.value.kind == process.event.EXIT and r.value.from == hog then
      t.ok(r.value.result.error, "the timer hog ended without an error")
      t.contains(tostring(r.value.result.error), "max_memory", "the hog's exit")
      break
    end
  end
  t.ok(made > 0 and made < 20000, "timers held before max_memory: " .. made)
  -- Unreachable timers are released.
  local churn = process.spawn_monitored("app.time:timer_churn", "app:processes")
  local e = t.event(events, process.event.EXIT, churn, 60000)
  t.eq(e.result.value, 200000, "the churning child's result (" .. tostring(e.result.error) .. ")")
  t.recv(time.after("5ms"), "after() in the surviving process")
  return true
end }
