-- WIPPY-API.md §1/§7.4: `os` is a global without any `modules:` listing,
-- require("os") is the same table, and os.platform is "wippy". No io/debug/utf8.
local t = require("t")

local function main()
  t.eq(type(os), "table", "os is a global")
  t.eq(require("os"), os, "require(\"os\")")
  t.eq(os.platform, "wippy", "os.platform")
  t.eq(type(os.time), "function", "os.time")
  t.eq(type(os.date), "function", "os.date")
  t.eq(type(os.clock), "function", "os.clock")
  t.eq(type(os.difftime), "function", "os.difftime")
  t.eq(os.execute, nil, "os.execute")
  t.eq(os.exit, nil, "os.exit")
  t.eq(os.getenv, nil, "os.getenv")
  t.eq(os.remove, nil, "os.remove")
  return true
end

return { main = main }
