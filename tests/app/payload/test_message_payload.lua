-- WIPPY-API.md §2/§5 msg:payload(): a Payload (format lua/any) for one value, nil for
-- no value (several values: test_message_payload_many.lua).
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.inbox()
  process.send(me, "one", { k = "v" })
  local msg = t.recv(inbox, "the one-value message")
  local p = msg:payload()
  t.eq(tostring(p), "payload{format=lua/any}", "payload of a one-value message")
  t.eq(p:get_format(), payload.format.LUA, "its format")
  t.eq(p:data(), { k = "v" }, "its data")

  process.send(me, "none")
  msg = t.recv(inbox, "the no-value message")
  t.eq(msg:payload(), nil, "payload of a message without a value")

  return true
end

return { main = main }
