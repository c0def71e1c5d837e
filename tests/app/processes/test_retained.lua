-- §3.2: with no matching subscription a message stays queued, in order, until one
-- appears: nothing is dropped.
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  local s = process.spawn_monitored("app.processes:sender", nil, me, {
    { "late", 1 }, { "other", "x" }, { "late", 2 }, { "late", 3 }, { "other", "y" },
  })
  -- The sender is done before we subscribe to anything.
  local e = t.event(events, process.event.EXIT, s)
  t.eq(e.result.value, 5, "sender result")

  local late = process.listen("late")
  t.eq(t.pending(late), { 1, 2, 3 }, "retained 'late' messages")
  local inbox = process.inbox()
  local others = {}
  for _, msg in ipairs(t.pending(inbox)) do
    table.insert(others, msg:payload():data())
  end
  t.eq(others, { "x", "y" }, "retained messages handed to the inbox once opened")
  return true
end

return { main = main }
