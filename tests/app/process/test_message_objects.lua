-- Message and Payload objects are Troupe's own tagged userdata with raw C methods
-- (crates/troupe-lua/src/tagged.rs). Under hostile use: a method called with the wrong
-- `self` (a table, a string, nil, the other object type) raises naming the type expected
-- and never misreads memory; the metatables cannot be reached or changed (they are shared
-- by every process of the VM); every payload kind reads back; a payload forwarded in a
-- send travels as its value; a million dropped messages leave nothing behind.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.inbox()

  process.send(me, "kinds", { a = 1, list = { 1, 2, 3 } })
  local m = t.recv(inbox, "the table message")
  local p = m:payload()

  -- Wrong `self`, for every raw and every mlua method.
  local topic, from, payload_of, actor = m.topic, m.from, m.payload, m.actor
  local data, get_format, transcode = p.data, p.get_format, p.transcode
  for _, bad in ipairs({ {}, "text", 42, true, p }) do
    t.raises({ "process.Message expected" }, topic, bad)
    t.raises({ "process.Message expected" }, from, bad)
    t.raises({ "process.Message expected" }, payload_of, bad)
    t.raises({ "process.Message expected" }, actor, bad)
  end
  t.raises({ "process.Message expected" }, topic)
  for _, bad in ipairs({ {}, "text", 42, m }) do
    t.raises({ "Payload expected" }, data, bad)
    t.raises({ "Payload expected" }, get_format, bad)
    t.raises({ "Payload expected" }, transcode, bad, payload.format.JSON)
  end
  -- Another userdata type (a channel) is refused too.
  t.raises({ "process.Message expected" }, topic, inbox)
  t.raises({ "Payload expected" }, data, inbox)

  -- The shared metatables are out of reach.
  t.eq(getmetatable(m), false, "a message's metatable is hidden")
  t.eq(getmetatable(p), false, "a payload's metatable is hidden")
  t.raises({ "metatable" }, setmetatable, m, {})
  t.raises({}, function() m.topic = function() return "forged" end end)
  t.raises({}, function() p.data = nil end)
  t.eq(m:topic(), "kinds", "the topic method is unchanged")

  -- Every payload kind reads back through the raw and the general path.
  local values = { 0, -7, 2 ^ 53, 1.5, -0.25, true, false, "", "text", string.rep("x", 5000),
    "bytes\0with\0zeros", { 1, "two", { three = 3 } } }
  for i, v in ipairs(values) do
    process.send(me, "v", v)
    local got = t.recv(inbox, "value " .. i)
    t.eq(got:payload():data(), v, "data of value " .. i)
    t.eq(got:payload():unmarshal(), v, "unmarshal of value " .. i)
    t.eq(got:payload():get_format(), payload.format.LUA, "format of value " .. i)
  end
  process.send(me, "none")
  t.eq(t.recv(inbox, "no value"):payload(), nil, "no value: nil payload")
  local e = errors.new({ message = "boom", kind = errors.NOT_FOUND })
  process.send(me, "err", e)
  local ep = t.recv(inbox, "error value"):payload()
  t.eq(ep:get_format(), payload.format.ERROR, "an error's format")
  t.eq(errors.is(ep:data(), errors.NOT_FOUND), true, "an error value keeps its kind")

  -- A payload of another format takes the general path, and a forwarded payload travels
  -- as its value.
  local j = p:transcode(payload.format.JSON)
  t.eq(j:get_format(), payload.format.JSON, "transcoded format")
  t.eq(j:data(), { a = 1, list = { 1, 2, 3 } }, "JSON payload data")
  process.send(me, "fwd", p)
  t.eq(t.recv(inbox, "forwarded"):payload():data(), { a = 1, list = { 1, 2, 3 } }, "forwarded")
  process.send(me, "fwd", j)
  t.eq(t.recv(inbox, "forwarded JSON"):payload():data(), { a = 1, list = { 1, 2, 3 } },
    "forwarded JSON payload")
  t.eq(tostring(p), "payload{format=lua/any}", "payload tostring")
  t.eq(tostring(m), "process.Message{topic=kinds}", "message tostring")
  t.eq(type(m), "userdata", "a message is a userdata")

  -- Many messages and payloads made and dropped: the collector frees them and their
  -- destructors release the Rust memory each holds (charged to the process, so counted by
  -- collectgarbage("count")). Without the destructors the count grows by about 1 MiB per
  -- 10,000 messages for good; with them it settles once a collection cycle of the shared
  -- VM has finished (later when the VM is busy, hence up to 40 rounds).
  local base = collectgarbage("count")
  local settled = false
  for round = 1, 40 do
    for i = 1, 10000 do
      process.send(me, "x", i)
      local x = inbox:receive()
      local _ = x:payload():data() + #x:topic() + #x:from()
    end
    if round >= 10 and collectgarbage("count") < base + 3072 then
      settled = true
      break
    end
  end
  t.ok(settled, "dropped messages are collected and release what they hold")

  return true
end

return { main = main }
