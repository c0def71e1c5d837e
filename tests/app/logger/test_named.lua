-- WIPPY-API.md §7.2 logger:named(name) → a named child logger; "" raises; named and
-- with combine.
local t = require("t")

local function main()
  local n = logger:named("billing")
  t.eq(type(n), "userdata", "named() returns a logger")
  n:info("from a named logger")
  local nn = n:named("invoices"):with({ id = 7 })
  nn:debug("nested name with fields")
  t.raises({ "name" }, function()
    logger:named("")
  end)
  t.raises({ "name" }, function()
    logger:named(nil)
  end)
  t.raises({ "name" }, function()
    logger:named({})
  end)
  -- Names are bounded.
  t.raises({ "1024" }, function()
    logger:named(string.rep("n", 2000))
  end)
  return true
end

return { main = main }
