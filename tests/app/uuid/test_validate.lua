-- WIPPY-API.md §7.3 uuid.validate(s) → bool, nil: hyphenated, 32 hex digits, {…} and
-- urn:uuid:… are accepted; anything else (and non-strings) is false.
local t = require("t")

local function main()
  local u = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
  t.eq({ uuid.validate(u) }, { true }, "hyphenated")
  t.eq(select("#", uuid.validate(u)), 2, "validate returns two values")
  t.eq(uuid.validate(string.upper(u)), true, "uppercase")
  t.eq(uuid.validate("f47ac10b58cc4372a5670e02b2c3d479"), true, "32 hex digits")
  t.eq(uuid.validate("{" .. u .. "}"), true, "braced")
  t.eq(uuid.validate("urn:uuid:" .. u), true, "urn")
  for _, bad in ipairs({ "", "f47ac10b-58cc-4372-a567-0e02b2c3d47", "g47ac10b-58cc-4372-a567-0e02b2c3d479",
    u .. "0", " " .. u, "{" .. u, "not a uuid" }) do
    t.eq(uuid.validate(bad), false, "validate(" .. t.show(bad) .. ")")
  end
  for _, v in ipairs({ 42, true, {} }) do
    t.eq(uuid.validate(v), false, "validate of a " .. type(v))
  end
  t.eq(uuid.validate(nil), false, "validate(nil)")
  return true
end

return { main = main }
