-- WIPPY-API.md §3 subscribe(topic, ch) → ch: the process's messages on topic go into ch;
-- nil, err if the topic already has another channel. unsubscribe(ch) → true (the
-- channel is closed) or false, err.
local t = require("t")

local function main()
  local me = process.pid()
  local ch = channel.new(4)
  t.ok(subscribe("sub-topic", ch) == ch, "subscribe returns the channel")
  process.send(me, "sub-topic", { v = 1 })
  t.eq(t.recv(ch, "the subscribed message"), { v = 1 }, "a message routed into the channel")
  t.ok(subscribe("sub-topic", ch) == ch, "subscribing the same channel again")
  local other = channel.new(1)
  local r, err = subscribe("sub-topic", other)
  t.eq(r, nil, "subscribe of a topic that has another channel")
  t.ok(err ~= nil and type(err) == "userdata", "its error: " .. tostring(err))
  for _, bad in ipairs({ "", "@sys" }) do
    r, err = subscribe(bad, channel.new())
    t.eq(r, nil, "subscribe(" .. t.show(bad) .. ")")
    t.err(err, "Invalid", {}, "subscribe(" .. t.show(bad) .. ")")
  end
  t.eq({ unsubscribe(ch) }, { true }, "unsubscribe")
  t.eq({ ch:receive() }, { nil, false }, "the channel is closed")
  local ok, uerr = unsubscribe(ch)
  t.eq(ok, false, "unsubscribe twice")
  t.ok(uerr ~= nil, "error of unsubscribe twice")
  t.ok(process.listen("sub-topic") ~= nil, "the topic can be listened again")
  return true
end

return { main = main }
