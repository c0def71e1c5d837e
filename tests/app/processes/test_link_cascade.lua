-- §3.3: an error exit kills a linked process that does not trap links, with the error
-- "linked process failed", which cascades further (here to our LINK_DOWN).
local t = require("t")

local function main()
  process.set_options({ trap_links = true })
  local events = process.events()
  local middle = process.spawn_linked_monitored("app.processes:middle")
  -- Both arrive (monitor and link), in either order.
  local seen = {}
  while not (seen[process.event.EXIT] and seen[process.event.LINK_DOWN]) do
    local e = t.recv(events, "EXIT and LINK_DOWN of the middle process")
    t.eq(e.from, middle, "event source")
    t.eq(seen[e.kind], nil, "duplicate " .. tostring(e.kind) .. " event")
    seen[e.kind] = e
  end
  t.eq(seen[process.event.LINK_DOWN].result.error:message(), "linked process failed", "LINK_DOWN reason from the middle process")
  t.eq(seen[process.event.EXIT].result.error:message(), "linked process failed", "exit reason of the middle process")
  return true
end

return { main = main }
