-- WIPPY-API.md §7.1 json: encode/decode round trip; arrays vs objects; errors as `nil, err`.
local t = require("t")
local json = require("json")

local function main()
  t.eq(json.encode({ 1, 2, 3 }), "[1,2,3]", "encode of a sequence")
  t.eq(json.encode("a\"b"), "\"a\\\"b\"", "encode of a string")
  t.eq(json.encode(true), "true", "encode of a boolean")
  t.eq(json.encode({ a = 1 }), "{\"a\":1}", "encode of a map")
  local v = { name = "x", list = { 1, 2.5, "three", false }, nested = { deep = { ok = true } } }
  t.eq(json.decode(json.encode(v)), v, "round trip")
  local d = json.decode('{"a":[1,{"b":null}],"c":"d","n":-3}')
  t.eq(d, { a = { 1, {} }, c = "d", n = -3 }, "decode (null becomes nil)")
  local bad, err = json.decode("{not json")
  t.eq(bad, nil, "value of an invalid decode")
  -- As Wippy: malformed text is Internal; a non-string or "" is Invalid.
  t.err(err, "Internal", { "json" }, "invalid decode")
  bad, err = json.decode("")
  t.eq(bad, nil, "value of decode(\"\")")
  t.err(err, "Invalid", {}, "decode of an empty string")
  return true
end

return { main = main }
