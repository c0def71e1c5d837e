-- WIPPY-API.md §2: msg:from() is "" for a message no process sent, such as the messages
-- with_name's spawn-or-signal queues to a live holder of the name ("sender \"\"").
local t = require("t")

local function main()
  local me = process.pid()
  -- A message queued by with_name to a live holder of the name has no sender.
  local rep = process.listen("report")
  local name = "app.process.message." .. tostring(os.time()) .. "." .. tostring(math.random(1, 1e9))
  local holder = process.with_context({}):with_name(name):spawn("app.process:worker", nil, "from", me)
  local again = process.with_context({}):with_name(name):with_message("signal", 1):spawn("app.process:worker", nil, "from", me)
  t.eq(again, holder, "with_name of a live holder returns its PID")
  local r = t.recv(rep, "the holder's report")
  t.eq(r, { from = "", topic = "signal", text = "process.Message{topic=signal}" }, "a message without a sender")
  return true
end

return { main = main }
