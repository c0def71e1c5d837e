-- WIPPY-API.md §6: after(d) → a channel that receives one Time when d elapses, then
-- closes; d <= 0 or a bad duration → nil, err (Invalid).
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local t0 = time.now()
  local ch = time.after("30ms")
  local v, ok = t.recv(ch, "the after() value")
  t.ok(ok, "after() delivered")
  t.eq(type(v), "userdata", "after() delivers a Time")
  t.ok(not v:before(t0:add("29ms")), "the Time is when it fired")
  t.ok(time.now():sub(t0):milliseconds() >= 29, "after(\"30ms\") fired early")
  t.eq({ ch:receive() }, { nil, false }, "then the channel is closed")
  t.eq(tostring(v):sub(1, 2), "20", "tostring of the delivered Time")
  -- Numbers are nanoseconds.
  t.recv(time.after(5 * time.MILLISECOND), "after(5 ms in ns)")
  for _, d in ipairs({ 0, -1, "0s", "-5ms" }) do
    local c, err = time.after(d)
    t.eq(c, nil, "after(" .. tostring(d) .. ")")
    t.err(err, errors.INVALID, { "time.after", "must be positive" }, "after(" .. tostring(d) .. ")")
  end
  local c, err = time.after("soon")
  t.eq(c, nil, "after(\"soon\")")
  t.err(err, errors.INVALID, { 'time: invalid duration "soon"' }, "after(\"soon\")")
  return true
end }
