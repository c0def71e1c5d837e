-- WIPPY-API.md §3 ch:close(): buffered values are still readable, then nil, false;
-- blocked receivers wake with nil, false; blocked senders raise; send on a closed
-- channel raises `send on closed channel`; closing twice raises `close of closed channel`.
local t = require("t")

local function main()
  local b = channel.new(3)
  b:send(1)
  b:send(2)
  b:close()
  t.eq({ b:receive() }, { 1, true }, "buffered value after close")
  t.eq({ b:receive() }, { 2, true }, "second buffered value after close")
  t.eq({ b:receive() }, { nil, false }, "drained closed channel")
  t.eq({ b:receive() }, { nil, false }, "drained closed channel again")

  local r = channel.new()
  local got = channel.new(1)
  coroutine.spawn(function()
    got:send({ r:receive() })
  end)
  time.sleep("10ms")
  r:close()
  t.eq(got:receive(), { nil, false }, "a blocked receiver woken by close")

  local s = channel.new()
  local res = channel.new(1)
  coroutine.spawn(function()
    res:send({ pcall(s.send, s, "v") })
  end)
  time.sleep("10ms")
  s:close()
  local out = res:receive()
  t.eq(out[1], false, "a blocked sender after close")
  t.contains(tostring(out[2]), "send on closed channel", "a blocked sender's error")

  t.raises({ "send on closed channel" }, function()
    b:send(3)
  end)
  t.raises({ "close of closed channel" }, function()
    b:close()
  end)
  return true
end

return { main = main }
