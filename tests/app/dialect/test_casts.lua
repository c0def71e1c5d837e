-- `string(x)`, `integer(x)`, `number(x)`, `boolean(x)`: `x` if it conforms, else they
-- raise at the caller's line; nothing is converted.
local t = require("t")

local function main()
  t.eq(string("a"), "a", "string")
  t.eq(integer(3), 3, "integer")
  t.eq(integer(-2 ^ 53), -2 ^ 53, "large integer")
  t.eq(number(1.5), 1.5, "number")
  t.eq(boolean(false), false, "boolean")
  t.raises({ "string(x): expected string, got number" }, string, 5)
  t.raises({ "integer(x): expected integer, got number" }, integer, 1.5)
  t.raises({ "integer(x): expected integer, got string" }, integer, "3")
  t.raises({ "integer(x)" }, integer, 0 / 0)
  t.raises({ "integer(x)" }, integer, math.huge)
  t.raises({ "number(x): expected number, got string" }, number, "1")
  t.raises({ "boolean(x): expected boolean, got nil" }, boolean, nil)
  local ok, e = pcall(function()
    return number("x") -- line 19
  end)
  t.eq(ok, false, "raised")
  t.contains(tostring(e), ":19: number(x)", "the caller's line")
  t.eq(string.upper("a"), "A", "the string library still works")
  t.eq(("x"):rep(2), "xx", "string methods still work")
  return true
end

return { main = main }
