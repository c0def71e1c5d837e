-- §5 with_name(n): the child is registered before it runs; when a live process already
-- holds n, nothing is spawned: the with_message messages go to that process and its PID
-- is returned (spawn-or-signal). Once the holder is gone, a new child is spawned.
local t = require("t")
local uuid = require("uuid")

local function main()
  local me = process.pid()
  local name = "app.spawner.named." .. uuid.v4()
  local started = process.listen("started")
  local pongs = process.listen("pong")
  local events = process.events()
  local s = process.with_context({}):with_name(name)

  local p1 = s:spawn_monitored("app.spawner:named_worker", nil, me, name)
  t.eq(t.recv(started, "the first worker"), { pid = p1, lookup = p1 }, "the worker's name at its start")
  t.eq(process.registry.lookup(name), p1, "lookup after the spawn")

  local p2, err = s:with_message("ping", "first"):with_message("ping", "second")
    :spawn("app.spawner:named_worker", nil, me, name)
  t.eq({ p2, err }, { p1 }, "spawn with a taken name returned the holder")
  -- As Wippy, signalled messages reach the holder without a sender ("").
  t.eq(t.recv(pongs, "pong 1"), { payload = "first", from = "" }, "first signalled message")
  t.eq(t.recv(pongs, "pong 2"), { payload = "second", from = "" }, "second signalled message")
  t.eq(t.drain(started, 100), {}, "workers started by the spawn-or-signal")

  -- A name held by a process that is not a worker at all (us): signalled the same way.
  local mine = name .. ".mine"
  t.eq(process.registry.register(mine), true, "register our own name")
  local direct = process.listen("direct")
  t.eq(process.with_context({}):with_name(mine):with_message("direct", 7):spawn("app.spawner:named_worker", nil, me, mine), me, "spawn-or-signal to ourselves")
  t.eq(t.recv(direct, "the message to ourselves"), 7, "message signalled to us")
  t.eq(t.drain(started, 50), {}, "workers started for our own name")

  -- The holder ends: the name is free and the next spawn starts a new worker.
  process.send(name, "quit")
  t.eq(t.event(events, process.event.EXIT, p1).result.value, "quit", "first worker result")
  local p3 = s:spawn("app.spawner:named_worker", nil, me, name)
  t.ok(p3 ~= p1, "a new worker after the first one exited")
  t.eq(t.recv(started, "the second worker"), { pid = p3, lookup = p3 }, "the second worker's name")
  process.send(p3, "quit")
  return true
end

return { main = main }
