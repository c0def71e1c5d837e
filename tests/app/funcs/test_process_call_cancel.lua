-- WIPPY-API.md §8: when the caller of a process entry called as a function goes away,
-- the process gets a CANCEL event with reason "caller context canceled".
local t = require("t")

local function main()
  local me = process.pid()
  local reasons = process.listen("cancel_reason")
  t.eq(process.exec("app.funcs:call_proc_then_exit", nil, me), "left", "the caller")
  t.eq(t.recv(reasons, "the CANCEL reason", 5000), "caller context canceled", "CANCEL reason")
  return true
end

return { main = main }
