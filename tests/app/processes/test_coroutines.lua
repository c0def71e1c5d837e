-- §3.3/§3.4: coroutine.spawn runs concurrently with main inside the process; when a
-- process's main returns, the coroutines it started are ended. As Wippy (WIPPY-API.md
-- §3), coroutine.spawn(fn) passes no arguments (closures carry the values).
local t = require("t")
local time = require("time")

local function main()
  local results = channel.new(10)
  for i = 1, 3 do
    local n = i
    coroutine.spawn(function()
      time.sleep(10 * (4 - n) * time.MILLISECOND) -- finish in reverse order of start
      results:send(n)
    end)
  end
  local order = {}
  for _ = 1, 3 do
    table.insert(order, (results:receive()))
  end
  t.eq(order, { 3, 2, 1 }, "completion order")

  -- A child whose main returns while its coroutine sleeps: the coroutine never sends.
  local events = process.events()
  local late = process.listen("late")
  local p = process.spawn_monitored("app.processes:lingering", nil, process.pid())
  t.eq(t.event(events, process.event.EXIT, p).result.value, "main done", "lingering result")
  t.eq(t.drain(late, 200), {}, "messages from the ended coroutine")
  return true
end

return { main = main }
