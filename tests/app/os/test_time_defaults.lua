-- WIPPY-API.md §7.4 os.time(t): hour, min and sec default to 0 (not Lua's 12:00:00) and
-- missing date parts are today's (local zone).
local t = require("t")

local function main()
  local lt = os.date("*t", 1704164645)
  local midnight = os.time({ year = lt.year, month = lt.month, day = lt.day })
  local d = os.date("*t", midnight)
  t.eq({ d.hour, d.min, d.sec }, { 0, 0, 0 }, "hour, min, sec default to 0")
  local today = os.date("*t")
  d = os.date("*t", os.time({ hour = 12 }))
  t.eq({ d.year, d.month, d.day, d.hour, d.min, d.sec }, { today.year, today.month, today.day, 12, 0, 0 }, "os.time{hour = 12}")
  d = os.date("*t", os.time({ month = 2, day = 3 }))
  t.eq({ d.year, d.month, d.day, d.hour }, { today.year, 2, 3, 0 }, "os.time{month = 2, day = 3}")
  return true
end

return { main = main }
