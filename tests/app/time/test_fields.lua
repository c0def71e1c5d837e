-- WIPPY-API.md §6: year month day hour minute second nanosecond weekday year_day is_zero.
local t = require("t")
local time = require("time")

return { main = function()
  local x = time.date(2009, 11, 10, 23, 4, 5, 987654321, time.utc)
  t.eq(x:year(), 2009, "year")
  t.eq(x:month(), time.NOVEMBER, "month")
  t.eq(x:day(), 10, "day")
  t.eq(x:hour(), 23, "hour")
  t.eq(x:minute(), 4, "minute")
  t.eq(x:second(), 5, "second")
  t.eq(x:nanosecond(), 987654321, "nanosecond")
  t.eq(x:weekday(), time.TUESDAY, "weekday")
  t.eq(x:year_day(), 314, "year_day")
  t.eq(time.date(2024, 12, 31, 0, 0, 0, 0, time.utc):year_day(), 366, "year_day in a leap year")
  -- Fields are those of the Time's location.
  local tokyo = x:in_location(time.load_location("Asia/Tokyo"))
  t.eq({ tokyo:date() }, { 2009, 11, 11 }, "date in Tokyo")
  t.eq(tokyo:hour(), 8, "hour in Tokyo")
  t.eq(tokyo:weekday(), time.WEDNESDAY, "weekday in Tokyo")
  -- The zero Time: January 1, year 1, UTC.
  local zero = time.date(1, 1, 1, 0, 0, 0, 0, time.utc)
  t.ok(zero:is_zero(), "zero Time")
  t.ok(zero:in_location(time.fixed_zone("X", 3600)):is_zero(), "zero Time in another zone")
  t.ok(not x:is_zero(), "not zero")
  t.eq(zero:unix(), -62135596800, "zero Time's unix")
  t.eq(time.date(-1, 1, 1, 0, 0, 0, 0, time.utc):format("2006"), "-0001", "year -1")
  return true
end }
