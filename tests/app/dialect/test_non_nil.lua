-- `e!` asserts non-nil statically; at run time the value is the same.
local t = require("t")

local function find(t: { [string]: number }, k: string): number?
  return t[k]
end

local function main()
  local m = { a = 1 }
  local v = find(m, "a")!
  t.eq(v, 1, "non-nil assertion on a call")
  local n = m.a! + 1
  t.eq(n, 2, "non-nil assertion on a field in an expression")
  t.eq((find(m, "a")! as number) * 3, 3, "with a cast")
  t.eq(1 ~= 2, true, "~= is untouched")
  return true
end

return { main = main }
