-- WIPPY-API.md §7.4 os.date([fmt [, ts]]): "*t" / "!*t" tables (wday Sun=1, yday,
-- isdst); "!" = UTC; the strftime codes; default format %c.
local t = require("t")

local TS = 1704164645 -- 2024-01-02 03:04:05 UTC, a Tuesday

local function main()
  t.eq(os.date("!*t", TS), { year = 2024, month = 1, day = 2, hour = 3, min = 4, sec = 5, wday = 3, yday = 2, isdst = false }, "os.date(\"!*t\")")
  local lt = os.date("*t", TS)
  for _, k in ipairs({ "year", "month", "day", "hour", "min", "sec", "wday", "yday" }) do
    t.eq(type(lt[k]), "number", "*t field " .. k)
  end
  t.eq(type(lt.isdst), "boolean", "*t field isdst")
  t.eq(os.date("!%Y-%m-%d %H:%M:%S", TS), "2024-01-02 03:04:05", "%Y-%m-%d %H:%M:%S")
  local codes = {
    a = "Tue", A = "Tuesday", b = "Jan", B = "January", d = "02", H = "03", I = "03",
    j = "002", m = "01", M = "04", p = "AM", S = "05", U = "00", w = "2", W = "01",
    x = "01/02/24", X = "03:04:05", y = "24", Y = "2024", ["%"] = "%",
  }
  for c, want in pairs(codes) do
    t.eq(os.date("!%" .. c, TS), want, "%" .. c)
  end
  t.eq(os.date("!%c", TS), "Tue Jan  2 03:04:05 2024", "%c")
  t.eq(os.date("!%I %p", TS + 12 * 3600), "03 PM", "%I %p in the afternoon")
  t.eq(os.date("!%z", TS), "+0000", "%z in UTC")
  t.ok(#os.date("!%Z", TS) > 0, "%Z in UTC")
  t.eq(type(os.date()), "string", "os.date() with no arguments")
  t.eq(os.date(), os.date("%c"), "the default format is %c")
  t.eq(os.date("!", TS), "", "just the UTC marker")
  t.eq(os.date("!plain text", TS), "plain text", "text without codes")
  return true
end

return { main = main }
