-- WIPPY-API.md §7.6/§8 ctx values are not inherited by a process entry called as a
-- function (process.exec: test_exec_not_inherited.lua).
local t = require("t")

local function main()
  local r = funcs.new():with_context({ secret = "s" }):call("app.ctx:call_proc_fn")
  t.eq(r.own, { secret = "s" }, "the caller's own context")
  t.eq(r.proc_call, {}, "a process called as a function gets no context")
  return true
end

return { main = main }
