-- WIPPY-API.md §7.3 under hostile input: a huge string is rejected (false or nil, err)
-- quickly, and the error does not echo megabytes of input.
local t = require("t")

local function main()
  local huge = string.rep("a", 8 * 1024 * 1024)
  t.eq(uuid.validate(huge), false, "validate of 8 MiB")
  for _, f in ipairs({ "version", "variant", "parse", "format" }) do
    local v, err = uuid[f](huge)
    t.eq(v, nil, f .. " of 8 MiB")
    t.err(err, "Invalid", {}, f .. " of 8 MiB")
    t.ok(#err:message() < 1024, f .. ": the error message is " .. #err:message() .. " bytes")
  end
  local v, err = uuid.v5(huge, "x")
  t.eq(v, nil, "v5 with an 8 MiB namespace")
  t.ok(#err:message() < 1024, "v5: the error message is " .. #err:message() .. " bytes")
  -- A huge name is fine (it is hashed).
  t.eq(uuid.version(uuid.v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", huge)), 5, "v5 of an 8 MiB name")
  return true
end

return { main = main }
