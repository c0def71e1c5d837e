-- §5 time: sleep, after, timer, ticker, now/since, durations as strings or milliseconds.
local t = require("t")
local time = require("time")

local function main()
  local t0 = time.now()
  time.sleep("40ms")
  local slept = time.since(t0):milliseconds()
  t.ok(slept >= 38, "sleep(\"40ms\") returned after " .. slept .. " ms")
  t0 = time.now()
  time.sleep(20)
  t.ok(time.since(t0):milliseconds() >= 18, "sleep(20) returned too early")

  -- after: a channel that yields once.
  t0 = time.now()
  local ch = time.after("30ms")
  t.eq({ ch:receive() }, { true, true }, "value from after()")
  t.ok(time.since(t0):milliseconds() >= 28, "after(\"30ms\") fired too early")

  -- timer: fires once (stopping is in app.regressions:timer_stop).
  t0 = time.now()
  local timer = time.timer(20)
  t.eq(timer:channel():receive(), true, "timer value")
  t.ok(time.since(t0):milliseconds() >= 18, "timer(20) fired too early")
  t.eq(t.drain(timer:channel(), 60), {}, "a timer fired twice")

  -- ticker: fires repeatedly until stopped.
  local ticker = time.ticker("15ms")
  local ticks = 0
  t0 = time.now()
  while ticks < 3 do
    t.recv(ticker:channel(), "tick " .. (ticks + 1))
    ticks = ticks + 1
  end
  t.ok(time.since(t0):milliseconds() >= 40, "3 ticks of 15ms came too fast")

  -- now: comparable, unix times agree.
  local a = time.now()
  time.sleep(5)
  local b = time.now()
  t.ok(a < b, "time.now() did not advance")
  t.ok(b:unix_milli() - a:unix_milli() >= 4, "unix_milli difference")
  t.ok(math.abs(a:unix() - os.time()) <= 2, "time.now():unix() far from os.time()")
  t.eq(time.parse_duration("1m"):milliseconds(), 60000, "parse_duration(\"1m\")")
  t.eq(time.parse_duration(250):milliseconds(), 250, "parse_duration(250)")
  t.raises({ "invalid duration" }, time.sleep, "soon")
  return true
end

return { main = main }
