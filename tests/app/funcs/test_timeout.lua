-- §5 funcs.new():with_options{timeout=}: a call past its timeout answers TIMEOUT and is
-- killed (no further effect); a builder is immutable; unknown options raise.
local t = require("t")
local funcs = require("funcs")
local time = require("time")

local function main()
  local me = process.pid()
  local late = process.listen("late_notify")
  local base = funcs.new()
  local limited = base:with_options({ timeout = 50 })
  local t0 = time.now()
  local v, err = limited:call("app.funcs:slow_notify", me, 500, "timed out call")
  local elapsed = time.now():sub(t0):milliseconds()
  t.eq(v, nil, "value of a timed-out call")
  t.err(err, "TIMEOUT", {}, "timed-out call")
  t.ok(elapsed >= 45 and elapsed < 450, "timeout answered after " .. elapsed .. " ms")
  -- Past the moment the function would have sent (500 ms after the call started).
  t.eq(t.drain(late, 600), {}, "messages from the timed-out call")

  -- Durations as strings; a call within its timeout is fine.
  t.eq(base:with_options({ timeout = "2s" }):call("app.funcs:sleeper", 10, "in time"), "in time", "call within its timeout")
  -- The base builder has no timeout.
  t.eq(base:call("app.funcs:sleeper", 80, "no limit"), "no limit", "base builder after with_options")
  -- async with a timeout.
  local f = limited:async("app.funcs:sleeper", 300, "never")
  local fv, ferr = f:result()
  t.eq(fv, nil, "value of a timed-out future")
  t.err(ferr, "TIMEOUT", {}, "timed-out future")

  t.raises({ "retries" }, function()
    base:with_options({ retries = 3 })
  end)
  return true
end

return { main = main }
