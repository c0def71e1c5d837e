-- §5: `os` is the safe subset (time, clock, date); io, os.execute, loadstring and the
-- rest of the unsafe surface are absent.
local t = require("t")
local time = require("time")

local function main()
  local os_ = require("os")
  t.ok(rawequal(os_, os), "require(\"os\") is the os global")
  local now = os.time()
  t.eq(type(now), "number", "os.time() type")
  t.ok(math.abs(now - time.now():unix()) <= 2, "os.time() far from time.now()")
  local c = os.clock()
  t.eq(type(c), "number", "os.clock() type")
  t.ok(c >= 0, "os.clock() negative")
  local year = os.date("%Y")
  t.ok(type(year) == "string" and string.match(year, "^%d%d%d%d$") ~= nil, "os.date(\"%Y\") = " .. tostring(year))
  t.eq(tonumber(year) >= 2024, true, "os.date year")
  t.eq(os.execute, nil, "os.execute")
  t.eq(os.exit, nil, "os.exit")
  t.eq(os.remove, nil, "os.remove")
  t.eq(os.getenv, nil, "os.getenv")
  t.eq(io, nil, "io")
  t.eq(loadstring, nil, "loadstring")
  t.eq(type(debug) == "table" and debug.getinfo or nil, nil, "debug.getinfo")
  -- Globals are private to the process and the shared libraries are read-only.
  t.raises({}, function()
    string.upper = nil
  end)
  t.eq(type(string.upper), "function", "string.upper after an attempted change")
  return true
end

return { main = main }
