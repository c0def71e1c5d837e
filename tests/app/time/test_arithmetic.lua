-- WIPPY-API.md §6: add, sub, add_date, after, before, equal; no __eq/__lt (identity).
local t = require("t")
local time = require("time")

return { main = function()
  local a = time.date(2024, 1, 31, 12, 0, 0, 0, time.utc)
  t.eq(a:add("1h30m"):hour(), 13, "add(string)")
  t.eq(a:add(time.parse_duration("-12h")):day(), 31, "add(Duration)")
  t.eq(a:add(-12 * time.HOUR - 1):day(), 30, "add(number)")
  local b = a:add(90 * time.MINUTE)
  local d = b:sub(a)
  t.eq(tostring(d), "1h30m0s", "sub")
  t.eq(a:sub(b):minutes(), -90, "negative sub")
  -- add_date normalises as Go: January 31 + 1 month is March 2 (2024 is a leap year).
  t.eq({ a:add_date(0, 1, 0):date() }, { 2024, 3, 2 }, "add_date month")
  t.eq({ a:add_date(1, 0, 1):date() }, { 2025, 2, 1 }, "add_date year, day")
  t.eq({ a:add_date(0, 0, -31):date() }, { 2023, 12, 31 }, "add_date negative")
  t.eq(a:add_date(0, 0, 0):hour(), 12, "add_date keeps the clock")
  -- Comparisons are about instants, whatever the location.
  local a2 = a:in_location(time.fixed_zone("plus5", 5 * 3600))
  t.ok(a:equal(a2), "equal across locations")
  t.ok(b:after(a) and a:before(b), "after/before")
  t.ok(not a:after(a2) and not a:before(a2), "neither after nor before")
  -- No metamethods: == is identity, < raises.
  t.ok(a ~= a2, "== compares identity")
  t.ok(a == a, "a Time equals itself")
  t.ok(not pcall(function() return a < b end), "< is not defined on Times")
  t.ok(not pcall(function() return b - a end), "- is not defined on Times")
  -- Bad arguments raise; results out of range raise a clear error.
  t.raises({ "time: add:", "invalid duration" }, a.add, a, "soon")
  t.raises({ "time: add_date:", "whole number" }, a.add_date, a, 1.5, 0, 0)
  t.raises({ "time out of range" }, a.add_date, a, 1e15, 0, 0)
  t.raises({ "time out of range" }, a.add_date, a, 0, 0, 9e18)
  t.raises({ "time out of range" }, a.add_date, a, 0, -9e18, 0)
  local far = time.date(262000, 1, 1, 0, 0, 0, 0, time.utc)
  t.raises({ "time out of range" }, far.add, far, 2^62)
  -- sub saturates at the largest duration (as Go).
  local early = time.date(-262000, 1, 1, 0, 0, 0, 0, time.utc)
  t.eq(tostring(far:sub(early)), "2562047h47m16.854775807s", "sub saturates")
  return true
end }
