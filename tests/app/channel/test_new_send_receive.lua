-- WIPPY-API.md §3 channel.new([n]): n = buffer size, default 0 (rendezvous);
-- ch:send(v) → true (blocks while full); ch:receive() → v, true.
local t = require("t")

local function main()
  local b = channel.new(2)
  t.eq({ b:send("a") }, { true }, "send into a buffer")
  t.eq(b:send("b"), true, "second send into a buffer of 2")
  t.eq({ b:receive() }, { "a", true }, "receive in order")
  t.eq({ b:receive() }, { "b", true }, "second receive")

  -- Rendezvous: a send completes only when a receiver takes the value.
  local r = channel.new()
  local log = {}
  coroutine.spawn(function()
    table.insert(log, "sending")
    r:send({ v = 1 })
    table.insert(log, "sent")
  end)
  time.sleep("20ms")
  t.eq(log, { "sending" }, "a rendezvous send before any receive")
  t.eq({ r:receive() }, { { v = 1 }, true }, "rendezvous receive")
  time.sleep("10ms")
  t.eq(log, { "sending", "sent" }, "the sender after the receive")

  -- A full buffer blocks the sender.
  local full = channel.new(1)
  full:send(1)
  local done = false
  coroutine.spawn(function()
    full:send(2)
    done = true
  end)
  time.sleep("20ms")
  t.eq(done, false, "send into a full buffer returned")
  t.eq(full:receive(), 1, "first buffered value")
  t.eq(full:receive(), 2, "the blocked sender's value")
  -- nil and tables travel as themselves (same process: no copy).
  local tbl = {}
  local c = channel.new(2)
  c:send(tbl)
  t.ok(c:receive() == tbl, "a table sent within a process is the same table")
  return true
end

return { main = main }
