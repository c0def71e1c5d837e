-- `T[]` and `any[]` are arrays (`{T}`), nested too, in every type position.
local t = require("t")

type Matrix = number[][]

local function sum(xs: number[]): number
  local s = 0
  for _, x in ipairs(xs) do s += x end
  return s
end

local function main()
  local xs: number[] = { 1, 2, 3 }
  t.eq(sum(xs), 6, "array parameter")
  local m: Matrix = { { 1 }, { 2, 3 } }
  t.eq(#m[2], 2, "nested arrays")
  local anys: any[] = { 1, "a", true }
  t.eq(#anys, 3, "any[]")
  local f = function(a: string[]): string[] return a end
  t.eq(f({ "a" })[1], "a", "array return type")
  return true
end

return { main = main }
