-- WIPPY-API.md §7.4 os.clock() → seconds (a float, not decreasing); os.difftime(a, b)
-- → a - b.
local t = require("t")

local function main()
  local c1 = os.clock()
  t.eq(type(c1), "number", "os.clock()")
  t.ok(c1 >= 0, "os.clock() is not negative")
  local x = 0
  for i = 1, 100000 do
    x = x + i
  end
  t.ok(os.clock() >= c1, "os.clock() went back")
  t.eq(os.difftime(10, 3), 7, "difftime(10, 3)")
  t.eq(os.difftime(3, 10), -7, "difftime(3, 10)")
  t.eq(os.difftime(1704164645, 1704164645), 0, "difftime of equal times")
  return true
end

return { main = main }
