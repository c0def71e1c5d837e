-- WIPPY-API.md §2 Message: :topic(); :from() → the sender's PID ("" when no process sent
-- it: test_message_no_sender.lua); tostring = process.Message{topic=<t>}.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.inbox()
  process.send(me, "greeting", "hi")
  local m = t.recv(inbox, "the message")
  t.eq(m:topic(), "greeting", "topic")
  t.eq(m:from(), me, "from")
  t.eq(tostring(m), "process.Message{topic=greeting}", "tostring")

  return true
end

return { main = main }
