-- WIPPY-API.md §4 errors.new{message=, kind=, retryable=, details=}: message required;
-- kind any string (unchecked); retryable a boolean; empty details → nil.
local t = require("t")

local function main()
  local e = errors.new({ message = "m", kind = errors.NOT_FOUND, retryable = true, details = { id = 7, tags = { "a", "b" } } })
  t.eq(e:message(), "m", "message")
  t.eq(e:kind(), "NotFound", "kind")
  t.eq(e:retryable(), true, "retryable = true")
  t.eq(e:details(), { id = 7, tags = { "a", "b" } }, "details")
  t.eq(errors.new({ message = "m", retryable = false }):retryable(), false, "retryable = false")
  t.eq(errors.new({ message = "m" }):retryable(), nil, "retryable unset")
  t.eq(errors.new({ message = "m" }):kind(), "", "kind unset")
  t.eq(errors.new({ message = "m", details = {} }):details(), nil, "empty details")
  t.eq(errors.new({ message = "m", kind = "SomethingOdd" }):kind(), "SomethingOdd", "a custom kind")
  t.eq(errors.new({ message = "m", kind = "" }):kind(), "", "an empty kind")
  return true
end

return { main = main }
