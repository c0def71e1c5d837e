-- WIPPY-API.md §8 a process entry with meta.default_host (or meta.options.default_host)
-- can be funcs.call'ed / async'ed: each call spawns a fresh process there, main(...)
-- gets the arguments, the exit value is returned; an error exit → nil, err.
local t = require("t")

local function main()
  local r, err = funcs.call("app.funcs:proc_fn", "x", { 1 })
  t.eq(err, nil, "call of a process entry")
  t.eq({ r.a, r.b, r.id }, { "x", { 1 }, "app.funcs:proc_fn" }, "its main got the arguments")
  t.ok(string.match(r.pid, t.pid_pattern("app:other")) ~= nil, "it ran on its default_host: " .. r.pid)
  local r2 = funcs.call("app.funcs:proc_fn", "y")
  t.ok(r2.pid ~= r.pid, "each call is a fresh process")
  local r3 = funcs.call("app.funcs:proc_fn_options", "z")
  t.eq(r3.a, "z", "meta.options.default_host")
  t.ok(string.match(r3.pid, t.pid_pattern("app:processes")) ~= nil, "it ran on its options.default_host: " .. r3.pid)

  local v, perr = funcs.call("app.funcs:proc_fn", "fail", "why")
  t.eq(v, nil, "an error exit")
  t.err(perr, "Conflict", { "process failed: why" }, "an error exit")

  local f = funcs.async("app.funcs:proc_fn", "async")
  t.eq(t.recv(f:response(), "the async process result"):data().a, "async", "funcs.async of a process entry")
  f = funcs.async("app.funcs:proc_fn", "fail", "async")
  t.err(t.recv(f:response(), "the async process failure"), "Conflict", { "async" }, "funcs.async of a failing process entry")

  -- Without default_host a process entry is not callable.
  v, perr = funcs.call("app.funcs:ctx_child")
  t.eq(v, nil, "a process entry without default_host")
  t.err(perr, "Invalid", {}, "a process entry without default_host")
  return true
end

return { main = main }
