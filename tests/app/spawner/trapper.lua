-- Links to a child that crashes after 10 ms and reports the LINK_DOWN it gets (it must
-- have been started with trap_links, or it dies instead).
return { main = function()
  local events = process.events()
  local child = process.spawn_linked("app.processes:outcome", nil, "crash_after", 10)
  while true do
    local e = events:receive()
    if e.kind == process.event.LINK_DOWN and e.from == child then
      return { trap = process.get_options().trap_links, reason = e.result.error:message() }
    end
  end
end }
