-- WIPPY-API.md §1: an imported library's chunk runs eagerly, before the importer's chunk,
-- in the same globals, once per process; the alias holds its return value.
local t = require("t")

local seen_at_load = EAGER_MARK

local function main()
  t.eq(seen_at_load, 1, "the library chunk ran before ours")
  t.eq(EAGER_MARK, 1, "the library chunk ran once")
  t.eq(eager.value, "eager library", "the alias is a global holding the library's value")
  t.ok(rawequal(require("eager"), eager), "require(alias) is the global")
  t.eq(EAGER_MARK, 1, "require did not run the chunk again")
  return true
end

return { main = main }
