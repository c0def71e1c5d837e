-- WIPPY-API.md §7.4 os.time([t]) → Unix seconds; a table {year, month, day, hour, min,
-- sec} in the local zone (round trip with os.date("*t")). Defaults: test_time_defaults.
local t = require("t")

local function main()
  local now = os.time()
  t.eq(type(now), "number", "os.time()")
  t.eq(now, math.floor(now), "os.time() is whole seconds")
  t.ok(now > 1700000000, "os.time() is after 2023: " .. now)
  local ts = 1704164645
  t.eq(os.time(os.date("*t", ts)), ts, "os.time of os.date(\"*t\", ts)")
  local lt = os.date("*t", ts)
  t.eq(os.time({ year = lt.year, month = lt.month, day = lt.day, hour = lt.hour, min = lt.min, sec = lt.sec }), ts, "a full table")
  return true
end

return { main = main }
