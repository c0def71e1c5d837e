-- §3.4: buffered and unbuffered channels, close, select with receive/send cases and
-- default.
local t = require("t")

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

  -- Unbuffered: a send completes only when a receiver takes it.
  local u = channel.new()
  local log = {}
  coroutine.spawn(function()
    table.insert(log, "send 1")
    u:send(1)
    table.insert(log, "sent 1")
    u:send(2)
    table.insert(log, "sent 2")
    u:close()
  end)
  t.eq(select("#", channel.select({ u:case_send("no receiver"), default = true }).default), 1,
    "non-blocking send on an unbuffered channel")
  local v = u:receive()
  table.insert(log, "got " .. v)
  v = u:receive()
  table.insert(log, "got " .. v)
  local _, ok = u:receive()
  t.eq(ok, false, "receive after the sender closed")
  t.eq(log[1], "send 1", "first step")
  t.eq(log[#log], "sent 2", "last step")
  t.ok(table.find(log, "got 1") ~= nil and table.find(log, "got 2") ~= nil, "both values received: " .. t.show(log))

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
