-- WIPPY-API.md §4 errors.is(v, kind): true iff v is an error of that kind; false for
-- non-errors and nil.
local t = require("t")

local function main()
  local e = errors.new({ message = "m", kind = errors.TIMEOUT })
  t.eq(errors.is(e, errors.TIMEOUT), true, "same kind")
  t.eq(errors.is(e, "Timeout"), true, "same kind as a literal")
  t.eq(errors.is(e, errors.INVALID), false, "another kind")
  t.eq(errors.is(e, "TIMEOUT"), false, "kinds are case-sensitive")
  t.eq(errors.is(errors.new("m"), errors.UNKNOWN), true, "the empty kind")
  t.eq(errors.is(errors.new({ message = "m", kind = "Custom" }), "Custom"), true, "a custom kind")
  t.eq(errors.is(nil, errors.TIMEOUT), false, "nil")
  t.eq(errors.is("Timeout", errors.TIMEOUT), false, "a string")
  t.eq(errors.is({ kind = "Timeout" }, errors.TIMEOUT), false, "a table")
  t.eq(errors.is(42, errors.TIMEOUT), false, "a number")
  return true
end

return { main = main }
