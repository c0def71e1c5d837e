-- WIPPY-API.md §7.3 uuid.format(s [, "standard"|"simple"|"urn"]) from any accepted
-- form; an unknown style or a bad UUID → nil, err (Invalid).
local t = require("t")

local function main()
  local u = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
  t.eq({ uuid.format(u) }, { u }, "default style")
  t.eq(uuid.format(u, "standard"), u, "standard")
  t.eq(uuid.format(u, "simple"), "f47ac10b58cc4372a5670e02b2c3d479", "simple")
  t.eq(uuid.format(u, "urn"), "urn:uuid:" .. u, "urn")
  t.eq(uuid.format("F47AC10B58CC4372A5670E02B2C3D479"), u, "from 32 uppercase digits")
  t.eq(uuid.format("{" .. u .. "}", "simple"), "f47ac10b58cc4372a5670e02b2c3d479", "from braces")
  t.eq(uuid.format("urn:uuid:" .. u), u, "from a urn")
  local v, err = uuid.format(u, "braces")
  t.eq(v, nil, "an unknown style")
  t.err(err, "Invalid", { "braces" }, "an unknown style")
  v, err = uuid.format("nope")
  t.eq(v, nil, "format of a bad UUID")
  t.err(err, "Invalid", {}, "format of a bad UUID")
  return true
end

return { main = main }
