-- WIPPY-API.md §6: now() and unix(sec, nsec) (both required; nsec normalised as Go).
local t = require("t")
local time = require("time")

return { main = function()
  local n = time.now()
  t.ok(math.abs(n:unix() - os.time()) <= 2, "now():unix() far from os.time()")
  local u = time.unix(1700000000, 123456789)
  t.eq(u:unix(), 1700000000, "unix()")
  t.eq(u:nanosecond(), 123456789, "nanosecond()")
  t.eq(u:location():string(), time.localtz:string(), "unix() is local time")
  t.eq(u:utc():format(time.RFC3339NANO), "2023-11-14T22:13:20.123456789Z", "unix() instant")
  -- nsec outside [0, 1e9) carries into seconds.
  t.eq(time.unix(10, 1500000000):unix(), 11, "nsec 1.5e9")
  t.eq(time.unix(10, -1):unix(), 9, "nsec -1: seconds")
  t.eq(time.unix(10, -1):nanosecond(), 999999999, "nsec -1: nanoseconds")
  t.eq(time.unix(1, 5):unix_nano(), 1000000005, "unix_nano()")
  t.raises({ "bad argument #2 to 'unix'" }, time.unix, 10)
  t.raises({ "bad argument #1 to 'unix'" }, time.unix)
  t.raises({ "bad argument #1 to 'unix'", "whole number" }, time.unix, 1.5, 0)
  t.raises({ "bad argument #1 to 'unix'" }, time.unix, "10", 0)
  -- Hostile: a second count past the range of a Time is a clear error.
  t.raises({ "time out of range" }, time.unix, 2^62, 0)
  t.raises({ "whole number" }, time.unix, 0 / 0, 0)
  return true
end }
