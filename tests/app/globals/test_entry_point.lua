-- WIPPY-API.md §1 entry method: a chunk returning a function → that function, whatever
-- `method` says; a table → tbl[method]; globals are not searched ("method not found").
local t = require("t")

local function main()
  t.eq(funcs.call("app.globals:returns_function", 1, 2), "returned function: 1,2", "function.lua returning a function")
  t.eq(funcs.call("app.globals:returns_table", "x"), "tbl.run: x", "function.lua returning a table: tbl[method]")
  local v, err = funcs.call("app.globals:global_only")
  t.eq(v, nil, "a main only as a global")
  t.ok(err ~= nil, "a main only as a global fails")
  t.contains(err:message(), "method", "its error")
  t.contains(err:message(), "not found", "its error")
  t.eq(process.exec("app.globals:proc_returns_function", nil, 5), { got = 5 }, "process.lua returning a function")
  return true
end

return { main = main }
