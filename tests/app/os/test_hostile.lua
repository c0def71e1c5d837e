-- WIPPY-API.md §7.4 under hostile input: a huge format string and out-of-range times end
-- cleanly (a value or a raised error), never a hang or a crash.
local t = require("t")

local function main()
  local fmt = string.rep("%Y", 1024 * 1024)
  local ok, s = pcall(os.date, "!" .. fmt, 0)
  if ok then
    t.eq(#s, 4 * 1024 * 1024, "a 1M-code format")
  end
  for _, ts in ipairs({ 1e300, -1e300, 0 / 0, math.huge }) do
    pcall(os.date, "!*t", ts)
    pcall(os.date, "!%c", ts)
  end
  pcall(os.time, { year = 1e300, month = 1, day = 1 })
  pcall(os.time, { year = 2024, month = 1e12, day = -1e12 })
  return true
end

return { main = main }
