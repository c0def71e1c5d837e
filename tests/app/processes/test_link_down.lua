-- §3.3: with trap_links an error exit of a linked process arrives as LINK_DOWN with the
-- reason; a normal exit sends nothing to links.
local t = require("t")
local time = require("time")

local function main()
  t.eq(process.get_options().trap_links, false, "trap_links default")
  process.set_options({ trap_links = true })
  t.eq(process.get_options().trap_links, true, "trap_links after set_options")
  local events = process.events()

  local crasher = process.spawn_linked("app.processes:outcome", nil, "crash_after", 10)
  local e = t.event(events, process.event.LINK_DOWN, crasher)
  t.eq(e.kind, "pid.link.down", "LINK_DOWN kind constant")
  t.eq(e.result.error:message(), "crash after 10ms", "LINK_DOWN result error")

  -- A normal exit of a linked+monitored child: EXIT only.
  local fine = process.spawn_linked_monitored("app.processes:outcome", nil, "value", 1)
  e = t.event(events, process.event.EXIT, fine)
  t.eq(e.result.value, 1, "EXIT value of the linked child")
  time.sleep("30ms")
  t.eq(#t.pending(events), 0, "events after a linked normal exit")

  -- A runtime link, then the other side fails.
  local w = process.spawn("app.processes:outcome", nil, "wait")
  t.eq(process.link(w), true, "process.link")
  process.terminate(w)
  e = t.event(events, process.event.LINK_DOWN, w)
  t.contains(e.result.error:message(), "terminated", "LINK_DOWN reason after terminate")

  -- unlink: no LINK_DOWN afterwards.
  local w2 = process.spawn_linked_monitored("app.processes:outcome", nil, "wait")
  t.eq(process.unlink(w2), true, "process.unlink")
  process.terminate(w2)
  t.event(events, process.event.EXIT, w2)
  time.sleep("30ms")
  t.eq(#t.pending(events), 0, "events after unlink + terminate")
  return true
end

return { main = main }
