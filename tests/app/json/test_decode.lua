-- WIPPY-API.md §7.1 json.decode(s) → value, nil: null → nil; objects → tables with
-- string keys; arrays → sequences; numbers without '.'/'e' are integers.
local t = require("t")

local function main()
  local v, err = json.decode('{"a":[1,{"b":null}],"c":"d","n":-3,"f":2.5,"t":true}')
  t.eq(err, nil, "decode error")
  t.eq(v, { a = { 1, {} }, c = "d", n = -3, f = 2.5, t = true }, "decode (null becomes nil)")
  t.eq(select("#", json.decode("1")), 2, "decode returns two values")
  t.eq(json.decode("null"), nil, "null")
  t.eq(json.decode("10"), 10, "an integer")
  t.eq(json.decode("1e2"), 100, "an exponent")
  t.eq(json.decode("\"\\u00e9\""), "é", "a unicode escape")
  t.eq(json.decode("[]"), {}, "an empty array")
  t.eq(json.decode("  [1, 2]  "), { 1, 2 }, "whitespace around")
  local round = { name = "x", list = { 1, 2.5, "three", false }, nested = { deep = { ok = true } } }
  t.eq(json.decode(json.encode(round)), round, "round trip")
  return true
end

return { main = main }
