-- WIPPY-API.md §2/§7.6 process.exec: the child inherits no ctx values.
local t = require("t")

local function main()
  local r = funcs.new():with_context({ secret = "s" }):call("app.ctx:exec_fn")
  t.eq(r.own, { secret = "s" }, "the caller's own context")
  t.eq(r.exec, {}, "process.exec does not pass the context")
  return true
end

return { main = main }
