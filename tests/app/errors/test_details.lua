-- WIPPY-API.md §4 e:details(): a fresh table each call (changing it changes nothing), or
-- nil; nested values are kept.
local t = require("t")

local function main()
  local src = { user = { id = 1, roles = { "admin" } }, n = 2.5 }
  local e = errors.new({ message = "m", details = src })
  src.n = 99
  t.eq(e:details(), { user = { id = 1, roles = { "admin" } }, n = 2.5 }, "details are a copy of the table")
  local d = e:details()
  d.user.id = 1000
  t.ok(e:details() ~= d, "details() returned the same table twice")
  t.eq(e:details().user.id, 1, "details after changing a returned table")
  return true
end

return { main = main }
