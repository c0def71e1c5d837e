-- WIPPY-API.md §6: format(layout) with Go reference layouts, format_rfc3339, tostring(t).
local t = require("t")
local time = require("time")

return { main = function()
  local pst = time.fixed_zone("PST", -8 * 3600)
  local x = time.date(2009, 2, 4, 13, 0, 57, 12345600, pst)
  local cases = {
    [time.RFC3339] = "2009-02-04T13:00:57-08:00",
    [time.RFC3339NANO] = "2009-02-04T13:00:57.0123456-08:00",
    [time.RFC822] = "04 Feb 09 13:00 PST",
    [time.RFC822Z] = "04 Feb 09 13:00 -0800",
    [time.RFC850] = "Wednesday, 04-Feb-09 13:00:57 PST",
    [time.RFC1123] = "Wed, 04 Feb 2009 13:00:57 PST",
    [time.RFC1123Z] = "Wed, 04 Feb 2009 13:00:57 -0800",
    [time.KITCHEN] = "1:00PM",
    [time.STAMP] = "Feb  4 13:00:57",
    [time.STAMP_MILLI] = "Feb  4 13:00:57.012",
    [time.STAMP_MICRO] = "Feb  4 13:00:57.012345",
    [time.STAMP_NANO] = "Feb  4 13:00:57.012345600",
    [time.DATE_TIME] = "2009-02-04 13:00:57",
    [time.DATE_ONLY] = "2009-02-04",
    [time.TIME_ONLY] = "13:00:57",
    ["Monday, January 2, 2006 3:04:05.000 pm MST"] = "Wednesday, February 4, 2009 1:00:57.012 pm PST",
    ["06 1 2 3 4 5 _2 __2 002"] = "09 2 4 1 0 57  4  35 035",
    ["15:04:05,999"] = "13:00:57,012",
    ["-07 -07:00 -0700 -070000 -07:00:00"] = "-08 -08:00 -0800 -080000 -08:00:00",
    ["no tokens here!"] = "no tokens here!",
  }
  for layout, want in pairs(cases) do
    t.eq(x:format(layout), want, "format(" .. layout .. ")")
  end
  -- The Z forms print Z at UTC.
  local u = x:utc()
  t.eq(u:format("Z07:00 Z0700 Z07 MST"), "Z Z Z UTC", "Z forms at UTC")
  t.eq(u:format_rfc3339(), "2009-02-04T21:00:57Z", "format_rfc3339")
  -- tostring is Go's String() form.
  t.eq(tostring(x), "2009-02-04 13:00:57.0123456 -0800 PST", "tostring")
  t.eq(tostring(time.unix(0, 0):utc()), "1970-01-01 00:00:00 +0000 UTC", "tostring at the epoch")
  -- A fixed zone without a name prints its offset for MST.
  t.eq(x:in_location(time.fixed_zone("", 5 * 3600 + 1800)):format("MST"), "+0530", "unnamed zone")
  -- Hostile: an over-long layout is a clear error.
  t.raises({ "time: format:", "longer than the maximum" }, x.format, x, string.rep("MST", 100000))
  return true
end }
