-- WIPPY-API.md §6: a bare number is nanoseconds; the unit constants.
local t = require("t")
local time = require("time")

return { main = function()
  t.eq(time.NANOSECOND, 1, "NANOSECOND")
  t.eq(time.MICROSECOND, 1000, "MICROSECOND")
  t.eq(time.MILLISECOND, 1e6, "MILLISECOND")
  t.eq(time.SECOND, 1e9, "SECOND")
  t.eq(time.MINUTE, 6e10, "MINUTE")
  t.eq(time.HOUR, 3.6e12, "HOUR")
  -- A number is nanoseconds wherever the module takes a duration.
  t.eq(time.parse_duration(1500):nanoseconds(), 1500, "parse_duration(1500)")
  t.eq(tostring(time.parse_duration(1500)), "1.5µs", "1500 is 1.5µs")
  local t0 = time.unix(0, 0)
  t.eq(t0:add(2 * time.SECOND):unix(), 2, "add(2 * SECOND)")
  t.eq(t0:add(1500):unix_nano(), 1500, "add(1500) adds nanoseconds")
  -- Fractions of a nanosecond are cut off.
  t.eq(time.parse_duration(2.9):nanoseconds(), 2, "2.9 ns")
  -- sleep(n) with n = 20 ms in nanoseconds really waits about that long.
  local a = time.now()
  time.sleep(20 * time.MILLISECOND)
  t.ok(time.now():sub(a):milliseconds() >= 19, "sleep(20 * MILLISECOND) returned early")
  return true
end }
