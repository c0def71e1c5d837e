-- Subscribes to `app.events.flood`, tells the test it is ready, never reads the
-- subscription until asked, then reports how many events it can read and how many were
-- dropped.
local events = require("events")
local time = require("time")

local function main(test)
  local sub = events.subscribe("app.events.flood")
  local inbox = process.inbox()
  process.send(test, "ready", true)
  inbox:receive() -- "report"
  local ch = sub:channel()
  local read = 0
  while true do
    local r = channel.select({ ch:case_receive(), time.after("300ms"):case_receive() })
    if r.channel ~= ch then
      break
    end
    read = read + 1
  end
  process.send(test, "report", { read = read, dropped = sub:dropped() })
end

return { main = main }
