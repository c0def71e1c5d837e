-- WIPPY-API.md §7.1 json.encode(v) → string, nil: nil → "null", an empty table → "[]",
-- a sequence → array, string keys → object, integral numbers without decimals,
-- NaN/Inf → null, functions and unknown userdata → null, errors → their text.
local t = require("t")

local function main()
  local s, err = json.encode({ 1, 2, 3 })
  t.eq({ s, err }, { "[1,2,3]" }, "encode of a sequence")
  t.eq(select("#", json.encode(1)), 2, "encode returns two values")
  t.eq(json.encode(nil), "null", "encode(nil)")
  t.eq(json.encode({}), "[]", "encode of an empty table")
  t.eq(json.encode({ a = {} }), "{\"a\":[]}", "an empty nested table")
  t.eq(json.encode({ a = 1 }), "{\"a\":1}", "encode of a map")
  t.eq(json.decode(json.encode({ b = 2, a = "x" })), { b = 2, a = "x" }, "several string keys")
  t.eq(json.encode(3), "3", "an integer")
  t.eq(json.encode(3.0), "3", "an integral float has no decimals")
  t.eq(json.encode(-0.5), "-0.5", "a fraction")
  t.eq(json.encode(1e15), "1000000000000000", "a large integral number")
  t.eq(json.encode(0 / 0), "null", "NaN")
  t.eq(json.encode(math.huge), "null", "Inf")
  t.eq(json.encode(-math.huge), "null", "-Inf")
  t.eq(json.encode({ 1, 0 / 0 }), "[1,null]", "NaN in an array")
  t.eq(json.encode(true), "true", "true")
  t.eq(json.encode("a\"b\n"), "\"a\\\"b\\n\"", "string escaping")
  t.eq(json.encode(function() end), "null", "a function")
  local withf = json.encode({ f = print, n = 1 })
  t.contains(withf, "\"f\":null", "a function field is null")
  t.eq(json.decode(withf), { n = 1 }, "a function field decodes to nothing")
  t.eq(json.encode(channel.new()), "null", "a channel (unknown userdata)")
  t.eq(json.encode(errors.new("broken")), "\"broken\"", "an error is its text")
  t.eq(json.encode({ e = errors.new({ message = "m", kind = "Invalid" }) }), "{\"e\":\"m\"}", "an error field")
  return true
end

return { main = main }
