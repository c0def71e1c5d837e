-- WIPPY-API.md §2 process.registry: register(name [, pid [, scope]]) → true, or nil, err
-- (taken: AlreadyExists "name already registered"; bad pid: Invalid); the same
-- name+pid again is fine; lookup(name) → PID or nil, err (NotFound "name not
-- registered"); unregister(name) → true if removed, false if not held; constants.
local t = require("t")

local function main()
  local r = process.registry
  t.eq({ r.LOCAL, r.EVENTUAL, r.CONSISTENT, r.STRONG }, { 0, 1, 2, 3 }, "scope constants")
  local me = process.pid()
  local name = "app.process.registry." .. uuid.v4()
  t.eq({ r.register(name) }, { true }, "register")
  t.eq(r.register(name), true, "register the same name and PID again")
  t.eq(r.register(name, me), true, "register the same name with our PID")
  t.eq({ r.lookup(name) }, { me }, "lookup")

  local rep = process.listen("report")
  local other = process.spawn("app.process:worker", nil, "block", me)
  t.recv(rep, "ready")
  local ok, err = r.register(name, other)
  t.eq(ok, nil, "register a taken name for another PID")
  t.err(err, "AlreadyExists", { "name already registered" }, "a taken name")
  ok, err = r.register("app.process.bad-pid", "not a pid")
  t.eq(ok, nil, "register with a bad PID")
  t.err(err, "Invalid", {}, "register with a bad PID")

  t.eq(r.unregister(name), true, "unregister")
  t.eq(r.unregister(name), false, "unregister of a name not held")
  local pid, lerr = r.lookup(name)
  t.eq(pid, nil, "lookup after unregister")
  t.err(lerr, "NotFound", { "name not registered" }, "lookup after unregister")

  for _, scope in ipairs({ r.LOCAL, r.EVENTUAL, r.CONSISTENT, r.STRONG }) do
    local n = name .. ".scope" .. scope
    t.eq(r.register(n, me, scope), true, "register with scope " .. scope)
    t.eq(r.lookup(n), me, "lookup of a name registered with scope " .. scope)
    t.eq(r.unregister(n, scope), true, "unregister with scope " .. scope)
  end
  process.send(other, "go")
  return true
end

return { main = main }
