-- WIPPY-API.md §4/§8 crossing a funcs.call boundary: empty kind → Internal (message
-- kept); custom kinds kept (retryable/details: test_boundary_fields.lua); `return nil, "x"` → Internal; a raised
-- string → Internal with a message starting `<entry-id>:<line>: `.
local t = require("t")

local function main()
  local v, err = funcs.call("app.errors:thrower_fn", "plain")
  t.eq(v, nil, "value of a failing call")
  t.err(err, "Internal", { "plain message" }, "an empty kind across a call")

  v, err = funcs.call("app.errors:thrower_fn", "raise_plain")
  t.err(err, "Internal", { "raised plain" }, "a raised kind-less error across a call")

  _, err = funcs.call("app.errors:thrower_fn", "custom")
  t.err(err, "MyKind", { "custom message" }, "a custom kind across a call")

  _, err = funcs.call("app.errors:thrower_fn", "string")
  t.err(err, "Internal", { "returned text" }, "return nil, \"x\" across a call")

  _, err = funcs.call("app.errors:thrower_fn", "raise_string")
  t.err(err, "Internal", { "raised text" }, "a raised string across a call")
  t.ok(string.match(err:message(), "^app%.errors:thrower_fn:%d+: raised text$") ~= nil,
    "message of a raised string: " .. err:message())
  t.eq(funcs.call("app.errors:thrower_fn", "none"), "no error", "a normal return")
  return true
end

return { main = main }
