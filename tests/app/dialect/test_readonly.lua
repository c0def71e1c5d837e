-- `readonly T` and `readonly` fields are static: the values behave as usual.
local t = require("t")

type Config = { readonly id: string, readonly tags: readonly string[] }

local function main()
  local c: Config = { id = "x", tags = { "a" } }
  local r: readonly number[] = { 1, 2 }
  t.eq(c.id, "x", "readonly field")
  t.eq(r[2], 2, "readonly array")
  return true
end

return { main = main }
