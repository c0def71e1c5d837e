-- WIPPY-API.md §10.3 system.gc: collect() → true (a bounded step of this process's VM
-- collector); get_percent() → the collector's goal (Luau's default is 200); set_percent(p)
-- → nil, Invalid (the collector is shared by the processes of a worker).
local t = require("t")
local system = require("system")
local errors = require("errors")

local function main()
  for _ = 1, 1000 do
    local _ = { string.rep("g", 100) }
  end
  t.eq(system.gc.collect(), true, "collect()")
  local p = system.gc.get_percent()
  t.eq(p, 200, "get_percent()")
  local v, err = system.gc.set_percent(50)
  t.eq(v, nil, "set_percent value")
  t.err(err, errors.INVALID, { "shared" }, "set_percent")
  t.eq(system.gc.get_percent(), 200, "the goal after a refused set_percent")
  return true
end

return { main = main }
