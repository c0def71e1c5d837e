-- WIPPY-API.md §4 errors.new: a table without a string `message` raises; first
-- arguments other than a string or a table raise `expected string or table`.
local t = require("t")

local function main()
  t.raises({ "message" }, errors.new, {})
  t.raises({ "message" }, errors.new, { kind = "Invalid" })
  t.raises({ "message" }, errors.new, { message = 5 })
  t.raises({ "expected string or table" }, errors.new)
  t.raises({ "expected string or table" }, errors.new, nil)
  t.raises({ "expected string or table" }, errors.new, true)
  t.raises({ "expected string or table" }, errors.new, function() end)
  t.raises({ "expected string or table" }, errors.new, errors.new("an error"))
  return true
end

return { main = main }
