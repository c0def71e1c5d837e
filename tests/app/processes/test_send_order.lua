-- §3.2: messages from one sender to one receiver arrive in send order, with their topic,
-- sender and payload.
local t = require("t")

local function main()
  local me = process.pid()
  local plan = {}
  for i = 1, 200 do
    table.insert(plan, { i % 2 == 0 and "even" or "odd", { n = i, s = "v" .. i } })
  end
  local inbox = process.inbox()
  local sender = process.spawn("app.processes:sender", nil, me, plan)
  for i = 1, 200 do
    local msg = t.recv(inbox, "message " .. i)
    t.eq(msg:topic(), i % 2 == 0 and "even" or "odd", "topic of message " .. i)
    t.eq(msg:from(), sender, "sender of message " .. i)
    t.eq(msg:payload():data(), { n = i, s = "v" .. i }, "payload of message " .. i)
  end
  t.eq(#t.drain(inbox, 30), 0, "messages after the 200 sent")
  return true
end

return { main = main }
