-- The casts are shared by every process of a worker, so nothing about them can be
-- changed: the `string` table's metatable and the cast globals are frozen.
local t = require("t")

local function main()
  local mt = getmetatable(string)
  t.eq(type(mt), "table", "string has a metatable")
  t.raises({ "readonly" }, function() mt.__call = function() return "evil" end end)
  t.raises({ "readonly" }, function() rawset(mt, "__index", {}) end)
  t.raises({ "readonly" }, function() setmetatable(string, {}) end)
  t.raises({ "readonly" }, function() string.cast = 1 end)
  t.raises({ "readonly" }, function() _G.integer = nil end)
  t.raises({ "readonly" }, function() rawset(_G, "number", tostring) end)
  t.raises({ "readonly" }, function() _G.__troupe_type = nil end)
  -- A process-local global of the same name shadows the cast for this process only.
  number = function() return "mine" end
  t.eq(number(1), "mine", "own global")
  t.eq(rawget(_G, "number")(2), 2, "the shared cast is unchanged")
  t.raises({ "string(x)" }, string, 1)
  return true
end

return { main = main }
