-- WIPPY-API.md §6: parse_duration with Go's grammar and Go's messages; nil, err (Invalid).
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local ok = {
    ["300ms"] = 300 * time.MILLISECOND, ["1.5h"] = 1.5 * time.HOUR,
    ["2h45m"] = 2 * time.HOUR + 45 * time.MINUTE, ["10ns"] = 10, ["7us"] = 7000,
    ["7µs"] = 7000, ["-1.5s"] = -1.5 * time.SECOND, ["+2m"] = 2 * time.MINUTE,
    ["0"] = 0, [".5s"] = 5e8, ["1h2m3s4ms5us6ns"] = 3723004005006,
  }
  for s, want in pairs(ok) do
    local d, err = time.parse_duration(s)
    t.eq(err, nil, "parse_duration(" .. s .. ") error")
    t.eq(d:nanoseconds(), want, "parse_duration(" .. s .. ")")
  end
  -- A Duration and a number are accepted as they are.
  t.eq(time.parse_duration(time.parse_duration("1s")):seconds(), 1, "Duration argument")
  local bad = {
    ["10"] = 'time: missing unit in duration "10"',
    ["1d"] = 'time: unknown unit "d" in duration "1d"',
    ["soon"] = 'time: invalid duration "soon"',
    [""] = 'time: invalid duration ""',
    [".s"] = 'time: invalid duration ".s"',
    ["9223372036854775808ns"] = 'time: invalid duration "9223372036854775808ns"',
    ["3000000h"] = 'time: invalid duration "3000000h"',
  }
  for s, msg in pairs(bad) do
    local d, err = time.parse_duration(s)
    t.eq(d, nil, "parse_duration(" .. s .. ") value")
    t.err(err, errors.INVALID, { msg }, "parse_duration(" .. s .. ")")
  end
  for _, v in ipairs({ {}, true, 0 / 0, math.huge, 1e300 }) do
    local d, err = time.parse_duration(v)
    t.eq(d, nil, "parse_duration(" .. tostring(v) .. ")")
    t.err(err, errors.INVALID, { "invalid duration" }, "parse_duration(" .. tostring(v) .. ")")
  end
  -- Hostile: a long string of units overflows and is an error, not a wrap-around.
  local d, err = time.parse_duration(string.rep("1000000h", 10000))
  t.eq(d, nil, "a sum past 2^63 ns")
  t.err(err, errors.INVALID, { "time: invalid duration" }, "overflowing sum")
  -- A huge input gives a readable (shortened) message.
  d, err = time.parse_duration(string.rep("x", 100000))
  t.ok(#tostring(err) < 400, "error message length " .. #tostring(err))
  return true
end }
