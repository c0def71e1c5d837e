-- A process entry callable as a function: tells `starter` it runs (topic
-- "proc_started"), waits for a CANCEL event and reports its reason to `parent` (topic
-- "cancel_reason").
local function main(parent, starter)
  local events = process.events()
  process.send(starter, "proc_started", process.pid())
  while true do
    local e = events:receive()
    if e.kind == process.event.CANCEL then
      process.send(parent, "cancel_reason", e.reason)
      return "canceled"
    end
  end
end

return { main = main }
