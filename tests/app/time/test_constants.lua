-- WIPPY-API.md §6: layouts (Go's values), months and weekdays.
local t = require("t")
local time = require("time")

return { main = function()
  local layouts = {
    RFC3339 = "2006-01-02T15:04:05Z07:00",
    RFC3339NANO = "2006-01-02T15:04:05.999999999Z07:00",
    RFC822 = "02 Jan 06 15:04 MST",
    RFC822Z = "02 Jan 06 15:04 -0700",
    RFC850 = "Monday, 02-Jan-06 15:04:05 MST",
    RFC1123 = "Mon, 02 Jan 2006 15:04:05 MST",
    RFC1123Z = "Mon, 02 Jan 2006 15:04:05 -0700",
    KITCHEN = "3:04PM",
    STAMP = "Jan _2 15:04:05",
    STAMP_MILLI = "Jan _2 15:04:05.000",
    STAMP_MICRO = "Jan _2 15:04:05.000000",
    STAMP_NANO = "Jan _2 15:04:05.000000000",
    DATE_TIME = "2006-01-02 15:04:05",
    DATE_ONLY = "2006-01-02",
    TIME_ONLY = "15:04:05",
  }
  for name, want in pairs(layouts) do
    t.eq(time[name], want, "time." .. name)
  end
  local months = { "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
    "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER" }
  for i, m in ipairs(months) do
    t.eq(time[m], i, "time." .. m)
  end
  local days = { "SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY" }
  for i, d in ipairs(days) do
    t.eq(time[d], i - 1, "time." .. d)
  end
  t.eq(time.utc:string(), "UTC", "time.utc")
  t.eq(type(time.localtz), "userdata", "time.localtz")
  t.eq(time.now():location():string(), time.localtz:string(), "now() is in the local zone")
  return true
end }
