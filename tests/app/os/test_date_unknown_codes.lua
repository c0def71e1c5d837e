-- WIPPY-API.md §7.4 os.date: unknown codes are kept as they are (Lua raises "invalid
-- conversion specifier").
local t = require("t")

local TS = 1704164645

local function main()
  t.eq(os.date("!%Q", TS), "%Q", "an unknown code is kept")
  t.eq(os.date("!%Y %Q %d", TS), "2024 %Q 02", "an unknown code among known ones")
  return true
end

return { main = main }
