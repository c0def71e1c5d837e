-- WIPPY-API.md §6: sleep(d) yields, returns nothing; a bad duration is nil, err (Invalid).
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local a = time.now()
  t.eq(select("#", time.sleep("30ms")), 0, "sleep returns nothing")
  t.ok(time.now():sub(a):milliseconds() >= 29, "sleep(\"30ms\") returned early")
  a = time.now()
  time.sleep(time.parse_duration("10ms"))
  t.ok(time.now():sub(a):milliseconds() >= 9, "sleep(Duration) returned early")
  -- Zero and negative durations return at once (as Go).
  t.eq(select("#", time.sleep(0)), 0, "sleep(0)")
  t.eq(select("#", time.sleep(-5)), 0, "sleep(-5)")
  for _, v in ipairs({ "soon", "10", {}, 0 / 0, 1e300 }) do
    local r, err = time.sleep(v)
    t.eq(r, nil, "sleep(" .. tostring(v) .. ") value")
    t.err(err, errors.INVALID, { "time.sleep: " }, "sleep(" .. tostring(v) .. ")")
  end
  -- A coroutine's sleep suspends it while the others run.
  local order = {}
  local done = channel.new(2)
  coroutine.spawn(function() time.sleep("30ms"); table.insert(order, "slow"); done:send(true) end)
  coroutine.spawn(function() time.sleep("1ms"); table.insert(order, "fast"); done:send(true) end)
  done:receive()
  done:receive()
  t.eq(order, { "fast", "slow" }, "sleeps of two coroutines")
  return true
end }
