-- WIPPY-API.md §7.6 ctx.get(key) → value, nil; "" → nil, err (Invalid); a missing key →
-- nil, err (NotFound, "key not found: <key>").
local t = require("t")

local function main()
  local r = funcs.new():with_context({ k = "v", n = 2, tbl = { a = { 1 } } }):call("app.ctx:get_fn")
  t.eq(r.k, { "v" }, "ctx.get of a string")
  t.eq(r.n, { 2 }, "ctx.get of a number")
  t.eq(r.tbl, { { a = { 1 } } }, "ctx.get of a table")
  t.eq(r.missing, { kind = "NotFound", message = "key not found: missing" }, "ctx.get of a missing key")
  t.eq(r.empty, { kind = "Invalid" }, "ctx.get(\"\")")
  return true
end

return { main = main }
