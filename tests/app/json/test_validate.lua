-- WIPPY-API.md §7.1 json.validate(schema, data): schema a table or JSON text (JSON
-- Schema) → true, or false, err (Invalid).
local t = require("t")

local schema = {
  type = "object",
  properties = {
    name = { type = "string", minLength = 1 },
    age = { type = "integer", minimum = 0 },
    tags = { type = "array", items = { type = "string" } },
  },
  required = { "name" },
}

local function main()
  t.eq(json.validate(schema, { name = "bob", age = 3, tags = { "a" } }), true, "valid data")
  local ok, err = json.validate(schema, { age = -1 })
  t.eq(ok, false, "invalid data")
  t.err(err, "Invalid", {}, "invalid data")
  t.contains(err:message(), "name", "the violation names the missing field")
  ok, err = json.validate(schema, { name = 5 })
  t.eq(ok, false, "a wrong type")
  t.err(err, "Invalid", {}, "a wrong type")
  -- The schema as JSON text.
  local text = json.encode(schema)
  t.eq(json.validate(text, { name = "x" }), true, "a JSON-text schema")
  ok, err = json.validate(text, { name = "" })
  t.eq(ok, false, "minLength through a JSON-text schema")
  t.err(err, "Invalid", {}, "minLength")
  -- Scalars and arrays as data.
  t.eq(json.validate({ type = "integer" }, 5), true, "an integer")
  t.eq((json.validate({ type = "integer" }, 5.5)), false, "a fraction is not an integer")
  t.eq(json.validate({ type = "array", maxItems = 2 }, { 1, 2 }), true, "an array")
  t.eq((json.validate({ type = "array", maxItems = 2 }, { 1, 2, 3 })), false, "too many items")
  -- A bad schema: false, err (Invalid).
  ok, err = json.validate("{not json", { name = "x" })
  t.eq(ok, false, "a schema that is not JSON")
  t.err(err, "Invalid", {}, "a schema that is not JSON")
  ok, err = json.validate({ type = "no-such-type" }, 1)
  t.eq(ok, false, "an invalid schema")
  t.err(err, "Invalid", {}, "an invalid schema")
  return true
end

return { main = main }
