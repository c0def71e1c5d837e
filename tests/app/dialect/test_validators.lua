-- Validators are static for Luau and enforced by runtime types: @min @max on numbers,
-- @min_len @max_len on strings (characters) and arrays, @pattern on strings.
local t = require("t")

type User = {
  name: string @min_len(1) @max_len(8),
  age: number @min(0) @max(150),
  email: string @pattern("^[^@]+@[^@]+$"),
  tags?: string[] @max_len(2),
}

local function main()
  local ok = { name = "Ann", age = 30, email = "a@b" }
  t.eq(User:is(ok), ok, "a conforming value")
  local cases = {
    { { name = "", age = 1, email = "a@b" }, "field name: length 0 is less than the minimum length 1" },
    { { name = "Ännnnnnn", age = 1, email = "a@b" }, nil },
    { { name = "123456789", age = 1, email = "a@b" }, "field name: length 9 is more than the maximum length 8" },
    { { name = "a", age = -1, email = "a@b" }, "field age: -1 is less than the minimum 0" },
    { { name = "a", age = 151, email = "a@b" }, "field age: 151 is more than the maximum 150" },
    { { name = "a", age = 1, email = "nope" }, "field email: does not match the pattern" },
    { { name = "a", age = 1, email = "a@b", tags = { "x", "y", "z" } }, "field tags: length 3 is more than the maximum length 2" },
  }
  for i, c in ipairs(cases) do
    local v, err = User:is(c[1])
    if c[2] == nil then
      t.eq(v, c[1], "case " .. i .. " passes (8 characters, 9 bytes)")
    else
      t.eq(v, nil, "case " .. i .. " value")
      t.err(err, "Invalid", { "type User: " .. c[2] }, "case " .. i)
    end
  end
  local function limit(n: number @min(1)): number return n end
  t.eq(limit(0), 0, "a validator on a parameter is static only")
  return true
end

return { main = main }
