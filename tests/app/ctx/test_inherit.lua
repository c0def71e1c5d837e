-- WIPPY-API.md §7.6 ctx values come from with_context on a spawner or an executor and are
-- inherited by spawn and funcs.call; explicit values overlay inherited ones.
local t = require("t")

local function main()
  local me = process.pid()
  local rep = process.listen("report")
  process.with_context({ a = 1 }):spawn("app.ctx:spawn_reader", nil, me)
  t.eq(t.recv(rep, "the spawned reader"), { a = 1 }, "a spawned process sees the spawner's values")
  local r = funcs.new():with_context({ a = 1, b = 2 }):call("app.ctx:nested_fn", me)
  t.eq(r.own, { a = 1, b = 2 }, "the called function")
  t.eq(r.call, { a = 1, b = 2 }, "a function it calls inherits")
  t.eq(r.overlay, { a = 1, b = "over" }, "a function it calls with an overlay")
  t.eq(t.recv(rep, "the grandchild reader"), { a = 1, b = 2 }, "a process it spawns inherits")
  return true
end

return { main = main }
