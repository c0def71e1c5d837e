-- §3.3: a process whose coroutines are all blocked on process-local channels exits with
-- a deadlock error instead of hanging; one blocked on its inbox is not deadlocked.
local t = require("t")

local function main()
  local events = process.events()
  local stuck = process.spawn_monitored("app.processes:stuck")
  local waiter = process.spawn_monitored("app.processes:outcome", nil, "wait")
  local e = t.event(events, process.event.EXIT, stuck)
  t.contains(e.result.error and e.result.error:message(), "deadlock", "exit reason of the stuck process")
  -- The inbox waiter is still alive and answers.
  t.eq(process.send(waiter, "go", "alive"), true, "send to the inbox waiter")
  e = t.event(events, process.event.EXIT, waiter)
  t.eq(e.result.value, "alive", "inbox waiter result")
  return true
end

return { main = main }
