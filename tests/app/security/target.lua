-- Reports to `test` every message and event it gets (topic "target_saw"). Ends after
-- 5 s if nobody terminates it.
local time = require("time")

local function main(test)
  local inbox, events = process.inbox(), process.events()
  local deadline = time.after("5s")
  while true do
    local r = channel.select({ inbox:case_receive(), events:case_receive(), deadline:case_receive() })
    if r.channel == deadline then
      return "timeout"
    elseif r.channel == inbox then
      process.send(test, "target_saw", { topic = r.value:topic() })
    else
      process.send(test, "target_saw", { event = r.value.kind })
    end
  end
end

return { main = main }
