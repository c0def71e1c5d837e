-- WIPPY-API.md §2 process.pid() → own PID `{node@host|uniq}`; process.id() → the running
-- entry's ID ("ns:name"): the function's ID inside function.lua, the process entry's
-- inside a process.
local t = require("t")

local function main()
  t.ok(string.match(process.pid(), t.pid_pattern("app:processes")) ~= nil, "pid " .. process.pid())
  t.eq(process.pid(), process.pid(), "pid is stable")
  t.eq(process.id(), "app.process:pid_id", "process.id() in a test function")
  t.eq(process.exec("app.process:worker", nil, "id"), "app.process:worker", "process.id() in a process")
  return true
end

return { main = main }
