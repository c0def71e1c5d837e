-- `X:kind()`, `X:fields()`, `X:elem()`, `X:name()`, `tostring(X)`.
local t = require("t")

type User = { id: integer, name?: string }
type Ids = integer[]
type Index = { [string]: number }
type Flag = boolean
type Either = string | number
type Both = { a: number } & { b: number }
type Maybe = string?
type One = "one"

local function main()
  t.eq(User:kind(), "record", "record")
  t.eq(Ids:kind(), "array", "array")
  t.eq(Index:kind(), "map", "map")
  t.eq(Flag:kind(), "boolean", "primitive")
  t.eq(Either:kind(), "union", "union")
  t.eq(Both:kind(), "intersection", "intersection")
  t.eq(Maybe:kind(), "optional", "optional")
  t.eq(One:kind(), "literal", "literal")
  local f = User:fields()
  t.eq(f.id:kind(), "integer", "field type")
  t.eq(f.name:kind(), "optional", "optional field")
  t.eq(f.name:elem():kind(), "string", "optional's element")
  t.eq(Ids:elem():kind(), "integer", "array element")
  t.eq(Index:elem():kind(), "number", "map value")
  t.eq(Flag:fields(), nil, "no fields on a primitive")
  t.eq(User:name(), "User", "name")
  t.eq(tostring(User), "{id: integer, name?: string}", "tostring")
  f.id = nil
  t.eq(User:fields().id:kind(), "integer", "fields() is a fresh table")
  t.eq(getmetatable(User), false, "locked metatable")
  return true
end

return { main = main }
