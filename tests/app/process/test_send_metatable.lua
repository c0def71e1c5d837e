-- WIPPY-API.md §2 send deep-copies values with their metatables.
local t = require("t")

local function main()
  local inbox = process.listen("mt")
  local v = setmetatable({ x = 1 }, { __index = { y = 2 } })
  process.send(process.pid(), "mt", v)
  local got = t.recv(inbox, "the copy")
  t.eq(rawget(got, "x"), 1, "field")
  t.ok(getmetatable(got) ~= nil, "the copy has no metatable")
  t.eq(got.y, 2, "__index through the copied metatable")
  return true
end

return { main = main }
