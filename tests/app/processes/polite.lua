-- Waits for a CANCEL event and exits normally with what it said.
local function main()
  local events = process.events()
  while true do
    local e = events:receive()
    if e.kind == process.event.CANCEL then
      return { from = e.from, reason = e.reason }
    end
  end
end

return { main = main }
