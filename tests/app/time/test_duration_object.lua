-- WIPPY-API.md §6: Duration methods (integers and floats) and Go's String() form.
local t = require("t")
local time = require("time")

return { main = function()
  local d = time.parse_duration("1h30m1.5s")
  t.eq(d:nanoseconds(), 5401500000000, "nanoseconds")
  t.eq(d:microseconds(), 5401500000, "microseconds")
  t.eq(d:milliseconds(), 5401500, "milliseconds")
  t.eq(d:seconds(), 5401.5, "seconds")
  t.eq(d:minutes(), 90.025, "minutes")
  t.eq(d:hours(), 5401.5 / 3600, "hours")
  -- Integers truncate toward zero.
  t.eq(time.parse_duration("1999us"):milliseconds(), 1, "1999us in ms")
  t.eq(time.parse_duration("-1999us"):milliseconds(), -1, "-1999us in ms")
  local forms = {
    ["1h30m"] = "1h30m0s", ["1.5s"] = "1.5s", ["300ms"] = "300ms", ["0s"] = "0s",
    ["1ns"] = "1ns", ["1100ns"] = "1.1µs", ["-1s"] = "-1s", ["4m5.001s"] = "4m5.001s",
    ["2562047h47m16.854775807s"] = "2562047h47m16.854775807s",
  }
  for s, want in pairs(forms) do
    t.eq(tostring(time.parse_duration(s)), want, "tostring(" .. s .. ")")
  end
  t.eq(tostring(time.parse_duration(0)), "0s", "tostring(0)")
  return true
end }
