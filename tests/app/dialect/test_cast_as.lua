-- `e as T` is an unchecked cast: the value is unchanged, whatever T says; it may span
-- lines and sit anywhere an expression does.
local t = require("t")

local function pair(): (number, string)
  return 1, "one"
end

local function main()
  local n = "5" as number
  t.eq(n, "5", "an unchecked cast does not convert")
  local v = (pair() as number) + 1
  t.eq(v, 2, "cast of a call in an expression")
  local tbl = { a = 1 as any, b = {1, 2} as {number} }
  t.eq(tbl.b[2], 2, "cast inside a table constructor")
  local s = tostring(
    tbl.a
  ) as
    string
  t.eq(s, "1", "cast spanning lines")
  local xs = {} as string[]
  table.insert(xs, "x")
  t.eq(#xs, 1, "cast to an array type")
  local m = { get = function(self) return self end }
  t.eq((m as any):get(), m, "method call on a cast")
  return true
end

return { main = main }
