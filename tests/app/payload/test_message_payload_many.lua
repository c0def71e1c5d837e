-- WIPPY-API.md §2/§5 msg:payload() of a message sent with several values is an array of
-- Payloads, one per value; a message sent with one array value is one Payload.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.inbox()
  process.send(me, "many", 1, "two", { 3 })
  local msg = t.recv(inbox, "the three-value message")
  local ps = msg:payload()
  t.eq(type(ps), "table", "payload of a three-value message")
  t.eq(#ps, 3, "number of payloads")
  t.eq({ ps[1]:data(), ps[2]:data(), ps[3]:data() }, { 1, "two", { 3 } }, "their data")

  process.send(me, "array", { 1, "two", { 3 } })
  msg = t.recv(inbox, "the one-array message")
  t.eq(tostring(msg:payload()), "payload{format=lua/any}", "payload of a message with one array value")
  t.eq(msg:payload():data(), { 1, "two", { 3 } }, "its data")
  return true
end

return { main = main }
