-- WIPPY-API.md §2 Exit: an uncaught error in a coroutine.spawn coroutine fails the
-- process with that error (no "coroutine failed: " prefix).
local t = require("t")

local function main()
  local v, err = process.exec("app.process:worker", nil, "coroutine_fail", process.pid())
  t.eq(v, nil, "a process whose coroutine raised")
  t.err(err, "Internal", {}, "a process whose coroutine raised")
  t.eq(err:message(), "coroutine boom", "the coroutine's error is the exit error")
  return true
end

return { main = main }
