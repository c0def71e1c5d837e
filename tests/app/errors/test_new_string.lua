-- WIPPY-API.md §4 errors.new("msg"): kind "", retryable nil, details nil; its type is
-- userdata; numbers are accepted as text.
local t = require("t")

local function main()
  local e = errors.new("just a message")
  t.eq(type(e), "userdata", "type of an error")
  t.eq(e:message(), "just a message", "message")
  t.eq(e:kind(), "", "kind of errors.new(msg)")
  t.eq(e:kind(), errors.UNKNOWN, "kind is errors.UNKNOWN")
  t.eq(e:retryable(), nil, "retryable of errors.new(msg)")
  t.eq(e:details(), nil, "details of errors.new(msg)")
  t.eq(errors.new(""):message(), "", "empty message")
  t.eq(errors.new(42):message(), "42", "a number as the message")
  -- A second argument is ignored.
  local two = errors.new(errors.INVALID, "m")
  t.eq({ two:message(), two:kind() }, { "Invalid", "" }, "errors.new(errors.INVALID, \"m\")")
  return true
end

return { main = main }
