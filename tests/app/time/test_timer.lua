-- WIPPY-API.md §6: timer(d): :response()/:channel() (one Time, then closed), :stop() → true if
-- pending, :reset(d) → true if pending (bad or <= 0 d raises).
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local tm = time.timer("20ms")
  t.ok(tm:response() == tm:channel(), "response() is channel()")
  local v = t.recv(tm:response(), "the timer's value")
  t.eq(type(v), "userdata", "a Time")
  t.ok(v:unix() > 0, "a Time")
  t.eq({ tm:channel():receive() }, { nil, false }, "closed after firing")
  t.eq(tm:stop(), false, "stop() after firing")
  t.eq(tm:reset("10ms"), false, "reset() after firing")
  -- stop() of a pending timer: true, nothing arrives.
  tm = time.timer("50ms")
  t.eq(tm:stop(), true, "stop() while pending")
  t.eq(tm:stop(), false, "second stop()")
  t.eq(t.drain(tm:channel(), 120), {}, "a stopped timer fired")
  -- reset() of a stopped timer arms it again.
  t.eq(tm:reset("10ms"), false, "reset() of a stopped timer")
  t.recv(tm:channel(), "the re-armed timer")
  -- reset() of a pending timer: true, fires after the new duration (not the old one).
  tm = time.timer("1h")
  local t0 = time.now()
  t.eq(tm:reset(20 * time.MILLISECOND), true, "reset() while pending")
  t.recv(tm:channel(), "the reset timer", 3000)
  t.ok(time.now():sub(t0):milliseconds() >= 19, "the reset timer fired early")
  -- Bad or non-positive reset durations raise.
  tm = time.timer("1h")
  t.raises({ "timer:reset", "must be positive" }, tm.reset, tm, 0)
  t.raises({ "timer:reset", "must be positive" }, tm.reset, tm, "-1s")
  t.raises({ "timer:reset", "invalid duration" }, tm.reset, tm, "soon")
  tm:stop()
  for _, d in ipairs({ 0, -1, "soon", {} }) do
    local x, err = time.timer(d)
    t.eq(x, nil, "timer(" .. tostring(d) .. ")")
    t.err(err, errors.INVALID, { "time.timer" }, "timer(" .. tostring(d) .. ")")
  end
  return true
end }
