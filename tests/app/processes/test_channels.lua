-- §3.4: buffered and unbuffered channels, close, select with receive/send cases and
-- default.
local t = require("t")
local time = require("time")

local function main()
  -- Buffered: sends up to the capacity do not block; FIFO.
  local b = channel.new(3)
  b:send("x")
  b:send("y")
  b:send("z")
  t.eq(b:len(), 3, "buffered length")
  t.eq({ b:receive() }, { "x", true }, "first buffered value")
  t.eq({ b:receive() }, { "y", true }, "second buffered value")
  b:close()
  t.eq({ b:receive() }, { "z", true }, "a closed channel still yields its buffer")
  t.eq({ b:receive() }, { nil, false }, "receive on a closed, drained channel")
  t.raises({ "closed" }, function()
    b:send("late")
  end)

  -- Unbuffered: a send completes only when a receiver takes it (compare a buffered one).
  local u, b1 = channel.new(), channel.new(1)
  local log = {}
  coroutine.spawn(function()
    b1:send("b")
    table.insert(log, "buffered sent")
    table.insert(log, "send 1")
    u:send(1)
    table.insert(log, "sent 1")
    u:send(2)
    table.insert(log, "sent 2")
    u:close()
  end)
  time.sleep("20ms") -- the coroutine runs until it blocks
  t.eq(log, { "buffered sent", "send 1" }, "steps before anyone received")
  t.eq(channel.select({ u:case_send("no receiver"), default = true }).default, true,
    "non-blocking send on an unbuffered channel without a receiver")
  t.eq({ u:receive() }, { 1, true }, "first unbuffered value")
  t.eq({ u:receive() }, { 2, true }, "second unbuffered value")
  t.eq({ u:receive() }, { nil, false }, "receive after the sender closed")
  t.eq(log, { "buffered sent", "send 1", "sent 1", "sent 2" }, "steps after receiving")
  t.eq(b1:receive(), "b", "buffered value")

  -- select: the ready case wins; default when none is; case_send into a buffer.
  local c1, c2 = channel.new(1), channel.new(1)
  local r = channel.select({ c1:case_receive(), c2:case_receive(), default = true })
  t.eq(r.default, true, "select default with nothing ready")
  c2:send("two")
  r = channel.select({ c1:case_receive(), c2:case_receive() })
  t.ok(r.channel == c2, "select picked the ready channel")
  t.eq({ r.value, r.ok }, { "two", true }, "selected value")
  r = channel.select({ c1:case_send("into c1") })
  t.ok(r.channel == c1, "select send case")
  t.eq(c1:receive(), "into c1", "value sent by a select case")
  c1:close()
  r = channel.select({ c1:case_receive(), c2:case_receive() })
  t.ok(r.channel == c1 and r.ok == false, "a closed channel is ready with ok=false")
  return true
end

return { main = main }
