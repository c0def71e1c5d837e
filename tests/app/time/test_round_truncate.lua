-- WIPPY-API.md §6: round(d) and truncate(d) (since the zero Time, as Go); a Duration object
-- is required.
local t = require("t")
local time = require("time")

return { main = function()
  local x = time.date(2012, 12, 7, 12, 15, 30, 918273645, time.utc)
  local cases = {
    { "1ns", "12:15:30.918273645", "12:15:30.918273645" },
    { "1us", "12:15:30.918274", "12:15:30.918273" },
    { "1ms", "12:15:30.918", "12:15:30.918" },
    { "1s", "12:15:31", "12:15:30" },
    { "2s", "12:15:30", "12:15:30" },
    { "1m0s", "12:16:00", "12:15:00" },
    { "10m0s", "12:20:00", "12:10:00" },
    { "1h0m0s", "12:00:00", "12:00:00" },
  }
  for _, c in ipairs(cases) do
    local d = time.parse_duration(c[1])
    t.eq(x:round(d):format("15:04:05.999999999"), c[2], "round(" .. c[1] .. ")")
    t.eq(x:truncate(d):format("15:04:05.999999999"), c[3], "truncate(" .. c[1] .. ")")
  end
  -- A day: midnight UTC; in another zone the instant is the same.
  local day = time.parse_duration("24h")
  t.eq(x:truncate(day):format(time.RFC3339), "2012-12-07T00:00:00Z", "truncate(24h)")
  -- d <= 0 leaves the Time as it is.
  t.ok(x:round(time.parse_duration(0)):equal(x), "round(0)")
  t.ok(x:truncate(time.parse_duration("-1s")):equal(x), "truncate(-1s)")
  -- Times before the zero Time round the same way (Go's div).
  local old = time.date(0, 12, 31, 23, 59, 59, 600000000, time.utc)
  t.eq(old:round(time.parse_duration("1s")):format("2006-01-02 15:04:05"), "0001-01-01 00:00:00", "round before year 1")
  t.eq(old:truncate(time.parse_duration("1s")):format("2006-01-02 15:04:05"), "0000-12-31 23:59:59", "truncate before year 1")
  -- Only a Duration object is accepted.
  t.raises({ "time: round:", "expected a Duration" }, x.round, x, time.SECOND)
  t.raises({ "time: truncate:", "expected a Duration" }, x.truncate, x, "1s")
  return true
end }
