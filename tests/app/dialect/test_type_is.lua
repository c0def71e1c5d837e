-- `X:is(v)`: `v, nil` when v conforms, else `nil, err` (kind INVALID, saying where).
local t = require("t")

type Point = { x: number, y: number }
type Named = { name: string, point?: Point }

local function main()
  local p = { x = 1, y = 2 }
  local v, err = Point:is(p)
  t.eq(v, p, "the value itself")
  t.eq(err, nil, "no error")
  t.eq(select("#", Point:is(p)), 2, "two results")

  v, err = Point:is({ x = 1 })
  t.eq(v, nil, "no value on a mismatch")
  t.err(err, "Invalid", { "type Point: missing field y (expected number)" }, "missing field")
  v, err = Point:is({ x = 1, y = "2" })
  t.err(err, "Invalid", { "type Point: field y: expected number, got string" }, "wrong field type")
  v, err = Point:is("p")
  t.err(err, "Invalid", { "expected {x: number, y: number}, got string" }, "not a table")

  t.eq(Named:is({ name = "n" }).name, "n", "optional field absent")
  v, err = Named:is({ name = "n", point = { x = 1, y = true } })
  t.err(err, "Invalid", { "type Named: field point field y: expected number, got boolean" }, "nested path")
  t.eq(Point:is({ x = 1, y = 2, extra = "ok" }).extra, "ok", "extra keys are allowed")
  return true
end

return { main = main }
