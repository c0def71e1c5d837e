-- WIPPY-API.md §8 funcs.new() → an immutable Executor: with_* return new executors (the
-- receiver is unchanged); with_actor(nil) / with_scope(nil) raise; call and async work
-- on it.
local t = require("t")

local function main()
  local base = funcs.new()
  t.eq(type(base), "userdata", "funcs.new() is a userdata")
  local derived = base:with_options({ anything = true })
  t.ok(derived ~= base, "with_options returned the receiver")
  t.eq(base:call("app.funcs:add", 2, 2), 4, "executor call")
  t.eq(t.recv(base:async("app.funcs:add", 3, 3):response(), "executor async"):data(), 6, "executor async")
  t.raises({}, function()
    base:with_actor(nil)
  end)
  t.raises({}, function()
    base:with_scope(nil)
  end)
  return true
end

return { main = main }
