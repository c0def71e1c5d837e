-- §3.1: a name is released when its process exits, and can then be taken again.
local t = require("t")
local uuid = require("uuid")

local function main()
  local me = process.pid()
  local name = "app.processes.released." .. uuid.v4()
  local reports = process.listen("registered")
  local events = process.events()
  local p = process.spawn_monitored("app.processes:namer", nil, me, name)
  t.eq(t.recv(reports, "the namer's report").ok, true, "the namer registered the name")
  t.eq(process.registry.lookup(name), p, "lookup while the holder lives")
  process.send(name, "quit")
  local e = t.event(events, process.event.EXIT, p)
  t.eq(e.result.value, "quit", "namer result")
  local pid, err = process.registry.lookup(name)
  t.eq(pid, nil, "lookup after the holder exited")
  t.eq(err:kind(), "NotFound", "kind of the lookup error")
  local ok, serr = process.send(name, "x", 1)
  t.eq(ok, nil, "send to a released name")
  t.contains(tostring(serr), "not found", "send to a released name")
  t.eq(process.registry.register(name), true, "re-register a released name")
  t.eq(process.registry.lookup(name), me, "lookup after re-register")
  return true
end

return { main = main }
