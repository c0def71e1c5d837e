-- WIPPY-API.md §7.6 ctx.all() → a table (maybe empty), nil.
local t = require("t")

local function main()
  t.eq({ ctx.all() }, { {} }, "ctx.all() without a context")
  t.eq(funcs.new():with_context({ a = 1, b = { "x" } }):call("app.ctx:reader"), { a = 1, b = { "x" } }, "ctx.all() in a call")
  return true
end

return { main = main }
