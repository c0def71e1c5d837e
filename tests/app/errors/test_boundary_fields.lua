-- WIPPY-API.md §4: crossing a process/call boundary an error keeps its message,
-- retryable and details (not only its kind): process.exec's `nil, err`, funcs.call's
-- `nil, err`, and a future's error item.
local t = require("t")

local function main()
  local _, err = process.exec("app.errors:thrower_proc", nil, "custom")
  t.err(err, "MyKind", { "custom message" }, "a custom error across exec")
  t.eq(err:retryable(), true, "retryable across exec")
  t.eq(err:details(), { a = 1, list = { "x" } }, "details across exec")

  _, err = funcs.call("app.errors:thrower_fn", "custom")
  t.err(err, "MyKind", { "custom message" }, "a custom error across a call")
  t.eq(err:retryable(), true, "retryable across a call")
  t.eq(err:details(), { a = 1, list = { "x" } }, "details across a call")

  local item = t.recv(funcs.async("app.errors:thrower_fn", "custom"):response(), "the future's item")
  t.err(item, "MyKind", { "custom message" }, "a custom error on a future's channel")
  t.eq(item:retryable(), true, "retryable on a future's channel")
  t.eq(item:details(), { a = 1, list = { "x" } }, "details on a future's channel")
  return true
end

return { main = main }
