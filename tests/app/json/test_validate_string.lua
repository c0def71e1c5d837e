-- WIPPY-API.md §7.1 json.validate_string(schema, json_text) → true, or false, err
-- (Invalid), also when the text is not JSON.
local t = require("t")

local function main()
  local schema = '{"type":"object","properties":{"n":{"type":"number"}},"required":["n"]}'
  t.eq(json.validate_string(schema, '{"n": 1}'), true, "valid text")
  local ok, err = json.validate_string(schema, '{"m": 1}')
  t.eq(ok, false, "text missing a required field")
  t.err(err, "Invalid", {}, "text missing a required field")
  ok, err = json.validate_string(schema, '{"n": "one"}')
  t.eq(ok, false, "a wrong type")
  t.err(err, "Invalid", {}, "a wrong type")
  ok, err = json.validate_string(schema, "{broken")
  t.eq(ok, false, "text that is not JSON")
  t.err(err, "Invalid", {}, "text that is not JSON")
  t.eq(json.validate_string({ type = "array" }, "[1,2]"), true, "a table schema")
  return true
end

return { main = main }
