-- WIPPY-API.md §7.3 uuid.v1() v4() v7() → a lowercase hyphenated UUID, nil, of that
-- version and the RFC 4122 variant; each call gives a new one; v7s sort by time.
local t = require("t")

local PATTERN = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"

local function main()
  for _, v in ipairs({ 1, 4, 7 }) do
    local gen = uuid["v" .. v]
    local r = { gen() }
    t.eq(select("#", gen()), 2, "v" .. v .. " returns two values")
    t.eq(r[2], nil, "v" .. v .. " error")
    local u = r[1]
    t.ok(type(u) == "string" and string.match(u, PATTERN) ~= nil, "v" .. v .. " format: " .. t.show(u))
    t.eq(u, string.lower(u), "v" .. v .. " is lowercase")
    t.eq(uuid.version(u), v, "version of a v" .. v)
    t.eq(uuid.variant(u), "RFC4122", "variant of a v" .. v)
    t.eq(string.sub(u, 15, 15), tostring(v), "version digit of a v" .. v)
    local seen = {}
    for _ = 1, 1000 do
      local x = gen()
      t.ok(not seen[x], "v" .. v .. " repeated " .. x)
      seen[x] = true
    end
  end
  local a = uuid.v7()
  local b = uuid.v7()
  t.ok(a < b, "v7 UUIDs sort by creation: " .. a .. " then " .. b)
  return true
end

return { main = main }
