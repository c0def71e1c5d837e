-- WIPPY-API.md §7.3 uuid.parse(s) → {version, variant} plus timestamp (Unix seconds, v1
-- and v7) and node (the 6 raw bytes, v1); bad input → nil, err (Invalid).
local t = require("t")

local function main()
  local p, err = uuid.parse("f47ac10b-58cc-4372-a567-0e02b2c3d479")
  t.eq(err, nil, "parse error")
  t.eq(p, { version = 4, variant = "RFC4122" }, "parse of a v4")

  local now = os.time()
  local v7 = uuid.parse(uuid.v7())
  t.eq(v7.version, 7, "parse of a v7: version")
  t.ok(type(v7.timestamp) == "number" and math.abs(v7.timestamp - now) < 120,
    "v7 timestamp " .. tostring(v7.timestamp) .. " vs now " .. now)
  t.eq(v7.node, nil, "a v7 has no node")

  local v1s = uuid.v1()
  local v1 = uuid.parse(v1s)
  t.eq(v1.version, 1, "parse of a v1: version")
  t.ok(type(v1.timestamp) == "number" and math.abs(v1.timestamp - now) < 120,
    "v1 timestamp " .. tostring(v1.timestamp) .. " vs now " .. now)
  t.eq(type(v1.node), "string", "v1 node")
  t.eq(#v1.node, 6, "v1 node is 6 raw bytes")
  local hex = string.gsub(v1.node, ".", function(c)
    return string.format("%02x", string.byte(c))
  end)
  t.eq(hex, string.sub(v1s, 25), "v1 node bytes are the UUID's last 12 digits")

  -- A known v1: 1582-10-15 + 0x1d3a...; check with a v1 made from a fixed value.
  local known = uuid.parse("c232ab00-9414-11ec-b3c8-9f6bdeced846")
  t.eq(known.version, 1, "known v1 version")
  t.eq(known.timestamp, 1645557742, "known v1 timestamp (2022-02-22T19:22:22Z)")
  t.eq(uuid.parse("urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479").version, 4, "parse of a urn")

  local bad, perr = uuid.parse("zzz")
  t.eq(bad, nil, "parse of a bad string")
  t.err(perr, "Invalid", {}, "parse of a bad string")
  bad, perr = uuid.parse(nil)
  t.eq(bad, nil, "parse(nil)")
  t.err(perr, "Invalid", {}, "parse(nil)")
  return true
end

return { main = main }
