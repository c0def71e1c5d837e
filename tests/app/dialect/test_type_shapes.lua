-- The shapes runtime types check: arrays (no holes, no other keys), maps, unions,
-- intersections, literals, referenced declarations, errors and `any`.
local t = require("t")

type Tag = "a" | "b"
type Tags = Tag[]
type Scores = { [string]: number }
type Item = { id: integer, tags: Tags }
type Both = { a: number } & { b: string }
type Result = { ok: boolean, err?: error, data: any }
type Code = 200 | 404

local function main()
  t.eq(Tags:is({ "a", "b" })[2], "b", "array of literals")
  local _, err = Tags:is({ "a", "c" })
  t.err(err, "Invalid", { "[2]: expected \"a\" | \"b\", got string" }, "bad element")
  _, err = Tags:is({ "a", nil, "b" })
  t.err(err, "Invalid", { "holes" }, "array with a hole")
  _, err = Tags:is({ "a", x = "b" })
  t.err(err, "Invalid", { "found key \"x\"" }, "array with a named key")
  t.eq(Tags:is({}) ~= nil, true, "empty array")
  t.eq(Scores:is({ a = 1, b = 2 }) ~= nil, true, "map")
  _, err = Scores:is({ a = "x" })
  t.err(err, "Invalid", { "[\"a\"]: expected number, got string" }, "bad map value")
  _, err = Scores:is({ [1] = 1 })
  t.err(err, "Invalid", { "key 1: expected string, got number" }, "bad map key")
  t.eq(Item:is({ id = 1, tags = { "a" } }) ~= nil, true, "referenced declaration")
  _, err = Item:is({ id = 1, tags = { "z" } })
  t.err(err, "Invalid", { "field tags [1]" }, "path through a referenced declaration")
  t.eq(Both:is({ a = 1, b = "x" }) ~= nil, true, "intersection")
  _, err = Both:is({ a = 1 })
  t.err(err, "Invalid", { "missing field b" }, "intersection part missing")
  t.eq(Result:is({ ok = true, data = {} }) ~= nil, true, "any and optional error")
  _, err = Result:is({ ok = false, err = "text", data = 1 })
  t.err(err, "Invalid", { "field err: expected error, got string" }, "error field")
  t.eq(Code(404), 404, "number literal type")
  t.raises({ "expected 200 | 404, got number" }, Code, 500)
  local cyclic = {}
  cyclic.id = 1
  cyclic.tags = {}
  cyclic.self = cyclic
  t.eq(rawequal(Item:is(cyclic), cyclic), true, "a cyclic value is checked by the shape, not walked")
  return true
end

return { main = main }
