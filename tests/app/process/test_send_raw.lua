-- process.send's raw path (crates/troupe-lua/src/modules/send.rs): the common call
-- (string destination and topic, no payload or one scalar) is sent without mlua; every
-- refusal still comes back as `nil, err` with the kernel's kind, the copy's budget
-- (max_message) still applies, and the shapes the raw path hands on keep their meaning.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.inbox()

  -- Refusals on the raw path.
  local ok, err = process.send("{app@nowhere|0x7ffff}", "t", 1)
  t.eq(ok, nil, "send to a dead PID")
  t.err(err, "NotFound", { "not found" }, "send to a dead PID")
  ok, err = process.send("app.process.no-such-name", "t", "x")
  t.err(err, "NotFound", { "not found" }, "send to an unknown name")
  ok, err = process.send(me, "@reserved", true)
  t.eq(ok, nil, "an @ topic")
  t.err(err, "Invalid", {}, "an @ topic")
  -- Many refusals in a row, interleaved with a coroutine doing the same: each gets its
  -- own error (the refusal travels with the call, not through shared state).
  local done = 0
  coroutine.spawn(function()
    for i = 1, 200 do
      local _, e = process.send("name-a-" .. i, "t", i)
      t.contains(e:message(), "name-a-" .. i, "the coroutine's own refusal")
    end
    done = done + 1
  end)
  for i = 1, 200 do
    local _, e = process.send("name-b-" .. i, "t", i)
    t.contains(e:message(), "name-b-" .. i, "the main coroutine's own refusal")
    if i % 10 == 0 then coroutine.yield() end
  end
  while done == 0 do coroutine.yield() end

  -- Every scalar, and strings at the raw path's length limit and past it.
  local values = { 0, 1, -1, 2 ^ 53, 0.5, -0.0, 1 / 0, true, false, "", "x",
    string.rep("r", 64 * 1024), string.rep("g", 64 * 1024 + 1), "a\0b" }
  for i, v in ipairs(values) do
    t.eq(process.send(me, "v", v), true, "send of value " .. i)
    local got = t.recv(inbox, "value " .. i):payload():data()
    t.eq(got, v, "value " .. i .. " arrives as sent")
  end
  t.eq(process.send(me, "none"), true, "no payload")
  t.eq(t.recv(inbox, "no payload"):payload(), nil, "no payload arrives as none")
  t.eq(process.send(me, "nil", nil), true, "a nil payload")
  t.eq(t.recv(inbox, "nil payload"):payload(), nil, "a nil payload arrives as none")
  -- Shapes the raw path hands on: a numeric topic, several payloads, a table.
  t.eq(process.send(me, 7, "n"), true, "a numeric topic")
  t.eq(t.recv(inbox, "numeric topic"):topic(), "7", "the topic as text")
  t.eq(process.send(me, "multi", 1, 2), true, "two payloads")
  t.eq(t.recv(inbox, "two payloads"):payload():data(), { 1, 2 }, "two payloads as an array")

  -- The copy's budget applies on the raw path too.
  process.spawn("app.process:small_sender", nil, me)
  local small = t.recv(inbox, "the small string")
  t.eq(small:topic(), "small", "the small string arrives")
  local r = t.recv(inbox, "the report"):payload():data()
  t.eq(r.small, true, "a string under max_message is sent")
  t.eq(r.big, nil, "a string over max_message is refused")
  t.eq(r.big_kind, errors.INVALID, "its kind")
  t.contains(r.big_message, "max_message", "its message")

  return true
end

return { main = main }
