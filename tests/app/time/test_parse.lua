-- WIPPY-API.md §6: parse(layout, s [, loc]) with Go layouts; nil, err (Invalid) with Go's
-- messages.
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local x, err = time.parse(time.RFC3339, "2009-02-04T13:00:57-08:00")
  t.eq(err, nil, "parse error")
  t.eq(x:utc():format(time.DATE_TIME), "2009-02-04 21:00:57", "RFC3339 instant")
  t.eq(x:format("-07:00"), "-08:00", "offset kept")
  x = time.parse(time.RFC3339NANO, "2009-02-04T21:00:57.0123456Z")
  t.eq(x:nanosecond(), 12345600, "fraction")
  t.eq(x:location():string(), "UTC", "Z is UTC")
  -- No zone in the value: UTC, or the given location.
  t.eq(time.parse(time.DATE_TIME, "2024-05-06 07:08:09"):location():string(), "UTC", "default UTC")
  local ny = time.load_location("America/New_York")
  x = time.parse(time.DATE_TIME, "2024-07-01 12:00:00", ny)
  t.eq(x:unix(), 1719849600, "parse in New York")
  t.eq(x:location():string(), "America/New_York", "location kept")
  x = time.parse("Jan _2 2006 MST", "Jul  1 2024 EDT", ny)
  t.eq(x:format("-0700"), "-0400", "zone abbreviation looked up in the location")
  -- Go's details: 12-hour clocks, year days, case-insensitive names, extra fractions.
  t.eq(time.parse(time.KITCHEN, "12:30AM"):hour(), 0, "12:30AM")
  t.eq(time.parse(time.KITCHEN, "1:05PM"):hour(), 13, "1:05PM")
  t.eq({ time.parse("2006 002", "2024 060"):date() }, { 2024, 2, 29 }, "year day")
  t.eq(time.parse("Jan 2006", "FEB 2020"):month(), 2, "month names ignore case")
  t.eq(time.parse(time.TIME_ONLY, "13:00:57.25"):nanosecond(), 250000000, "fraction not in layout")
  t.eq(time.parse("06", "69"):year(), 1969, "two-digit year 69")
  t.eq(time.parse("06", "68"):year(), 2068, "two-digit year 68")
  local bad = {
    { time.DATE_ONLY, "2009-13-01", 'parsing time "2009-13-01": month out of range' },
    { time.DATE_ONLY, "2009-02-30", 'parsing time "2009-02-30": day out of range' },
    { time.DATE_ONLY, "x", 'parsing time "x" as "2006-01-02": cannot parse "x" as "2006"' },
    { time.DATE_ONLY, "2009-02-04 x", 'parsing time "2009-02-04 x": extra text: " x"' },
    { time.TIME_ONLY, "25:00:00", 'parsing time "25:00:00": hour out of range' },
    { time.RFC3339, "2009-02-04T13:00:57", 'cannot parse "" as "Z07:00"' },
  }
  for _, c in ipairs(bad) do
    local v, e = time.parse(c[1], c[2])
    t.eq(v, nil, "parse(" .. c[2] .. ") value")
    t.err(e, errors.INVALID, { c[3] }, "parse(" .. c[2] .. ")")
  end
  -- Hostile: huge layouts and values are refused, not scanned.
  local v, e = time.parse(string.rep("2006", 100000), "2024")
  t.eq(v, nil, "huge layout")
  t.err(e, errors.INVALID, { "longer than the maximum" }, "huge layout")
  v, e = time.parse(time.DATE_ONLY, string.rep("9", 1000000))
  t.eq(v, nil, "huge value")
  t.err(e, errors.INVALID, { "longer than the maximum" }, "huge value")
  t.ok(#tostring(select(2, time.parse(time.DATE_ONLY, string.rep("x", 4000)))) < 1000, "error message is bounded")
  t.raises({ "bad argument" }, time.parse, time.DATE_ONLY)
  return true
end }
