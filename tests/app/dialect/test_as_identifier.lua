-- `as` is not a keyword: a local, a field, a method and a function may be called `as`.
local t = require("t")

local function main()
  local as = 1
  local obj = { as = as + 1 }
  obj.as = obj.as + 1
  t.eq(obj.as, 3, "field named as")
  function obj:as() return "method" end
  t.eq(obj:as(), "method", "method named as")
  local function cast(as) return as end
  t.eq(cast(4), 4, "parameter named as")
  local s = "x as number" -- a comment: y as T[]
  t.eq(s, "x as number", "strings keep `as`")
  t.eq(#[[a?: T[] ]], 8, "long strings keep the dialect's symbols")
  return true
end

return { main = main }
