-- WIPPY-API.md §7.3 uuid.version(s) → integer; uuid.variant(s) →
-- RFC4122|Reserved|Microsoft|Future|Invalid|NCS; bad input → nil, err (Invalid).
local t = require("t")

local function main()
  t.eq({ uuid.version("f47ac10b-58cc-4372-a567-0e02b2c3d479") }, { 4 }, "version of a v4")
  t.eq(uuid.version("00000000-0000-1000-8000-000000000000"), 1, "version 1")
  t.eq(uuid.version("00000000-0000-0000-0000-000000000000"), 0, "version of the nil UUID")
  t.eq(uuid.variant("f47ac10b-58cc-4372-a567-0e02b2c3d479"), "RFC4122", "RFC 4122 variant")
  t.eq(uuid.variant("00000000-0000-4000-0000-000000000000"), "NCS", "NCS variant")
  t.eq(uuid.variant("00000000-0000-4000-c000-000000000000"), "Microsoft", "Microsoft variant")
  t.eq(uuid.variant("00000000-0000-4000-e000-000000000000"), "Future", "Future variant")
  for _, f in ipairs({ "version", "variant" }) do
    local v, err = uuid[f]("nope")
    t.eq(v, nil, f .. " of a bad string")
    t.err(err, "Invalid", {}, f .. " of a bad string")
    v, err = uuid[f](12)
    t.eq(v, nil, f .. " of a number")
    t.err(err, "Invalid", {}, f .. " of a number")
  end
  return true
end

return { main = main }
