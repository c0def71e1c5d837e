-- WIPPY-API.md §6: date(y, mo, d, h, mi, s, ns [, loc]) — all 7 integers required; Go's
-- normalisation; default location local.
local t = require("t")
local time = require("time")

return { main = function()
  local d = time.date(2024, 2, 29, 13, 4, 5, 6, time.utc)
  t.eq({ d:date() }, { 2024, 2, 29 }, "date()")
  t.eq({ d:clock() }, { 13, 4, 5 }, "clock()")
  t.eq(d:nanosecond(), 6, "nanosecond")
  t.eq(time.date(2024, 1, 1, 0, 0, 0, 0):location():string(), time.localtz:string(), "default loc")
  -- Overflowing fields are normalised, as Go's time.Date.
  t.eq({ time.date(2024, 13, 1, 0, 0, 0, 0, time.utc):date() }, { 2025, 1, 1 }, "month 13")
  t.eq({ time.date(2024, 3, 0, 0, 0, 0, 0, time.utc):date() }, { 2024, 2, 29 }, "day 0")
  t.eq({ time.date(2023, 12, 31, 23, 59, 61, 0, time.utc):clock() }, { 0, 0, 1 }, "second 61")
  t.eq(time.date(2024, 1, 1, 0, 0, 0, -1, time.utc):year(), 2023, "nsec -1")
  t.eq({ time.date(2024, -1, 1, 0, 0, 0, 0, time.utc):date() }, { 2023, 11, 1 }, "month -1")
  -- In a zone: the wall time there.
  local ny = time.load_location("America/New_York")
  local s = time.date(2024, 7, 1, 12, 0, 0, 0, ny)
  t.eq(s:unix(), 1719849600, "12:00 EDT")
  t.eq(s:format("15:04 MST"), "12:00 EDT", "format in New York")
  -- Missing or non-integer arguments raise.
  t.raises({ "bad argument #7 to 'date'" }, time.date, 2024, 1, 1, 0, 0, 0)
  t.raises({ "bad argument #1 to 'date'" }, time.date)
  t.raises({ "bad argument #3 to 'date'", "whole number" }, time.date, 2024, 1, 1.5, 0, 0, 0, 0)
  t.raises({ "bad argument #2 to 'date'" }, time.date, 2024, "x", 1, 0, 0, 0, 0)
  t.raises({ "bad argument #8 to 'date'", "Location" }, time.date, 2024, 1, 1, 0, 0, 0, 0, "UTC")
  -- Hostile: absurd years or fields are a clear error, not a panic or a wrap-around.
  t.raises({ "time out of range" }, time.date, 1e15, 1, 1, 0, 0, 0, 0)
  t.raises({ "time out of range" }, time.date, 2024, 1, 1e18, 0, 0, 0, 0)
  t.raises({ "time out of range" }, time.date, -1e18, -1e18, -1e18, -1e18, -1e18, -1e18, -1e18)
  t.raises({ "whole number" }, time.date, math.huge, 1, 1, 0, 0, 0, 0)
  return true
end }
