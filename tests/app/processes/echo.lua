-- Answers every message with topic "echo:<topic>" to its sender; the payload goes back
-- after the echo marks its own copy (`touched = true`). Topic "stop" ends it.
local function main()
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    if msg:topic() == "stop" then
      return "stopped"
    end
    local data = msg:payload():data()
    if type(data) == "table" then
      data.touched = true
    end
    process.send(msg:from(), "echo:" .. msg:topic(), data)
  end
end

return { main = main }
