local t = require("t")

local function main()
  local done = process.listen("done")
  local events = process.events()
  local pid = process.spawn_monitored("app.upgrade:v1", "app:processes", process.pid())
  process.send(pid, "go", 1)
  process.send(pid, "later", "still queued")
  local r = t.recv(done, "report from the upgraded process", 2000)
  t.eq(r.n, 3, "arguments reached the new code (upgraded three times)")
  t.eq(r.pid, pid, "the PID is kept")
  t.eq(r.id, "app.upgrade:v2", "process.id() names the new entry")
  t.eq(r.name, pid, "the registered name is kept")
  t.eq(r.late, "still queued", "a message queued before the upgrade is delivered to the new code")
  local e = t.recv(events, "EXIT of the upgraded process", 2000)
  t.eq(e.kind, process.event.EXIT, "the monitor survives the upgrade")
  t.eq(e.result.value, "v2 finished", "exit value of the new code")

  -- A bad target is an error exit naming upgrade.
  local bad = process.spawn_monitored("app.upgrade:bad", "app:processes", "app.upgrade:nope")
  e = t.recv(events, "EXIT of the bad upgrade", 2000)
  t.eq(e.from, bad, "EXIT from the bad upgrade")
  t.contains(e.result.error:message(), "upgrade: entry app.upgrade:nope not found", "bad target")
  bad = process.spawn_monitored("app.upgrade:bad", "app:processes", "app.lib:t")
  e = t.recv(events, "EXIT of the upgrade to a library", 2000)
  t.contains(e.result.error:message(), "expected process.lua", "upgrade to a non-process entry")

  -- A process that upgrades for ever still yields the worker and can be terminated.
  local forever = process.spawn_monitored("app.upgrade:forever", "app:processes")
  t.eq(process.terminate(forever), true, "terminate the upgrade loop")
  e = t.recv(events, "EXIT of the upgrade loop", 2000)
  t.eq(e.from, forever, "EXIT from the upgrade loop")
  t.ok(e.result.error ~= nil, "the upgrade loop ended with an error")
  return true
end

return { main = main }
