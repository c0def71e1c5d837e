-- §3.1: register/lookup/unregister; process.send accepts a name; a name held by a live
-- process cannot be taken (`nil, err` AlreadyExists "name already registered", as
-- WIPPY-API.md §2); registering for another PID.
local t = require("t")
local uuid = require("uuid")

local function main()
  local me = process.pid()
  local name = "app.processes.names." .. uuid.v4()
  t.eq(process.registry.register(name), true, "register")
  t.eq(process.registry.lookup(name), me, "lookup of our own name")

  -- Another process cannot take it.
  local inbox = process.listen("registered")
  local got = process.listen("got")
  local other = process.spawn("app.processes:namer", nil, me, name)
  local r = t.recv(inbox, "the namer's report")
  t.eq(r.ok, nil, "register of a taken name")
  t.eq(r.kind, "AlreadyExists", "kind of the taken-name error")
  t.eq(r.message, "name already registered", "taken-name error (Wippy's text)")
  t.eq(r.pid, other, "namer PID")

  -- Unregister, then bind the name to the other process and send by name.
  t.eq(process.registry.unregister(name), true, "unregister")
  t.eq(process.registry.unregister(name), false, "second unregister")
  local pid, err = process.registry.lookup(name)
  t.eq(pid, nil, "lookup after unregister")
  t.err(err, "NotFound", { "name not registered" }, "lookup after unregister")
  t.eq(process.registry.register(name, other), true, "register for another PID")
  t.eq(process.registry.lookup(name), other, "lookup of a name bound to another PID")
  t.eq(process.send(name, "hello", { via = "name" }), true, "send by name")
  t.eq(t.recv(got, "the forwarded message"), { via = "name" }, "payload sent by name")
  process.send(name, "quit")
  return true
end

return { main = main }
