-- WIPPY-API.md §2 unlisten(ch) → true and the channel is closed; false, err when not
-- subscribed; a non-channel raises. Later messages on the topic go to the inbox.
local t = require("t")

local function main()
  local me = process.pid()
  local ch = process.listen("topic")
  t.eq({ process.unlisten(ch) }, { true }, "unlisten")
  t.eq({ ch:receive() }, { nil, false }, "the channel is closed")
  local ok, err = process.unlisten(ch)
  t.eq(ok, false, "unlisten twice")
  t.err(err, "Invalid", {}, "unlisten twice")
  ok, err = process.unlisten(channel.new())
  t.eq(ok, false, "unlisten of a channel never subscribed")
  t.ok(err ~= nil, "error of unlisten of a channel never subscribed")
  t.raises({}, process.unlisten, "not a channel")
  t.raises({}, process.unlisten, nil)
  process.send(me, "topic", "after")
  local m = t.recv(process.inbox(), "the message after unlisten")
  t.eq({ m:topic(), m:payload():data() }, { "topic", "after" }, "routed to the inbox")
  return true
end

return { main = main }
