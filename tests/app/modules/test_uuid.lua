-- §5 uuid: v4 and v7 are lowercase hyphenated UUIDs of their version; all distinct; v7
-- sorts by creation time.
local t = require("t")
local uuid = require("uuid")

local function main()
  local pat = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-(%x)%x%x%x%-(%x)%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"
  local seen = {}
  local prev7
  for i = 1, 100 do
    local a, b = uuid.v4(), uuid.v7()
    for _, u in ipairs({ a, b }) do
      t.eq(u, string.lower(u), "UUID case")
      t.ok(seen[u] == nil, "duplicate UUID " .. u)
      seen[u] = true
    end
    local va, vara = string.match(a, pat)
    local vb = string.match(b, pat)
    t.eq(va, "4", "version nibble of v4 " .. a)
    t.ok(vara ~= nil and string.find("89ab", vara, 1, true) ~= nil, "variant of v4 " .. a)
    t.eq(vb, "7", "version nibble of v7 " .. b)
    if prev7 then
      t.ok(string.sub(prev7, 1, 13) <= string.sub(b, 1, 13), "v7 timestamps went backwards")
    end
    prev7 = b
  end
  return true
end

return { main = main }
