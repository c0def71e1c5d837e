-- §5: a function call is cancelled when its caller ends. A process starts slow_notify
-- (sleep 150 ms, then message us) with funcs.async and exits at once: the message never
-- comes. The same process waiting for the result does get it (control).
local t = require("t")

local function main()
  local me = process.pid()
  local late = process.listen("late_notify")
  local events = process.events()
  local quitter = process.spawn_monitored("app.funcs:async_then_exit", nil, me, "exit", 150)
  local waiter = process.spawn_monitored("app.funcs:async_then_exit", nil, me, "wait", 150)
  t.eq(t.event(events, process.event.EXIT, quitter).result.value, "exited without waiting", "quitter result")
  t.eq(t.event(events, process.event.EXIT, waiter).result.value, "finished wait", "waiter result")
  t.eq(t.drain(late, 300), { "wait" }, "messages from the two calls (only the awaited one may send)")
  return true
end

return { main = main }
