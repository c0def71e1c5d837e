-- WIPPY-API.md §3 coroutine.spawn(fn) → the new thread; it runs concurrently inside the
-- process; no extra arguments reach fn.
local t = require("t")

local function main()
  local got = channel.new(1)
  local th = coroutine.spawn(function(...)
    got:send({ n = select("#", ...), first = (...) })
  end, "extra", "args")
  t.eq(type(th), "thread", "coroutine.spawn returns a thread")
  t.eq(got:receive(), { n = 0 }, "arguments seen by the coroutine")
  -- Concurrency: two coroutines exchange values.
  local ping, pong = channel.new(), channel.new()
  coroutine.spawn(function()
    for i = 1, 3 do
      pong:send(ping:receive() + 1)
    end
  end)
  local v = 0
  for _ = 1, 3 do
    ping:send(v)
    v = pong:receive()
  end
  t.eq(v, 3, "ping-pong between coroutines")
  t.raises({}, coroutine.spawn, "not a function")
  return true
end

return { main = main }
