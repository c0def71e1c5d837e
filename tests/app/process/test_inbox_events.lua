-- WIPPY-API.md §2 inbox() and events() return the same channel each call; the inbox
-- yields Message objects.
local t = require("t")

local function main()
  local inbox = process.inbox()
  t.ok(process.inbox() == inbox, "inbox() twice gave two channels")
  local events = process.events()
  t.ok(process.events() == events, "events() twice gave two channels")
  t.ok(events ~= inbox, "events() is the inbox")
  process.send(process.pid(), "topic-a", 5)
  local m = t.recv(inbox, "the inbox message")
  t.eq(m:topic(), "topic-a", "message topic")
  t.eq(m:payload():data(), 5, "message payload")
  return true
end

return { main = main }
