-- funcs.new():with_options{timeout=} (a Troupe option; Wippy's options are opaque, so it
-- is one more accepted key): a call past its timeout answers Timeout and is killed (no
-- further effect); a builder is immutable; other keys are accepted (WIPPY-API.md §8).
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
  t.err(err, "Timeout", {}, "timed-out call")
  t.ok(elapsed >= 45 and elapsed < 450, "timeout answered after " .. elapsed .. " ms")
  -- Past the moment the function would have sent (500 ms after the call started).
  t.eq(t.drain(late, 600), {}, "messages from the timed-out call")

  -- Durations as strings; a call within its timeout is fine.
  t.eq(base:with_options({ timeout = "2s" }):call("app.funcs:sleeper", 10, "in time"), "in time", "call within its timeout")
  -- The base builder has no timeout.
  t.eq(base:call("app.funcs:sleeper", 80, "no limit"), "no limit", "base builder after with_options")
  -- async with a timeout.
  -- async with a timeout: the error object arrives on the response channel.
  local f = limited:async("app.funcs:sleeper", 300, "never")
  local item = t.recv(f:response(), "the timed-out future's item")
  t.err(item, "Timeout", {}, "timed-out future")
  local fv, ferr = f:result()
  t.eq(fv, nil, "value of a timed-out future")
  t.err(ferr, "Timeout", {}, "result() of a timed-out future")

  -- Unknown keys are opaque options: accepted, the call runs.
  t.eq(base:with_options({ retries = 3, whatever = { 1 } }):call("app.funcs:add", 1, 2), 3, "call with unknown options")
  return true
end

return { main = main }
