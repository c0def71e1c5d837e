-- WIPPY-API.md §6: ticker(d): a channel of Times (buffer 16, ticks dropped while full);
-- :stop() → true.
local t = require("t")
local time = require("time")
local errors = require("errors")

return { main = function()
  local tk = time.ticker("10ms")
  t.ok(tk:response() == tk:channel(), "response() is channel()")
  local prev
  for i = 1, 3 do
    local v = t.recv(tk:channel(), "tick " .. i)
    t.eq(type(v), "userdata", "a tick is a Time")
    if prev then t.ok(v:after(prev), "ticks advance") end
    prev = v
  end
  t.eq(tk:stop(), true, "stop()")
  t.eq(tk:stop(), true, "stop() again")
  t.pending(tk:channel())
  t.eq(t.drain(tk:channel(), 60), {}, "a stopped ticker kept ticking")
  -- Nobody reads: the buffer fills to 16 and further ticks are dropped (about 100 fall due
  -- while it sleeps 200 ms). A loaded worker may fire fewer: then it looks again.
  tk = time.ticker("2ms")
  local held
  for _ = 1, 50 do
    time.sleep("200ms")
    held = t.pending(tk:channel())
    if #held >= 16 then break end
  end
  t.ok(#held >= 16, "the ticker never filled its buffer: " .. #held)
  t.ok(#held <= 24, "more ticks were kept than the buffer holds: " .. #held)
  -- Ticking resumes once there is room.
  t.recv(tk:channel(), "a tick after the buffer drained")
  tk:stop()
  for _, d in ipairs({ 0, -1, "soon" }) do
    local x, err = time.ticker(d)
    t.eq(x, nil, "ticker(" .. tostring(d) .. ")")
    t.err(err, errors.INVALID, { "time.ticker" }, "ticker(" .. tostring(d) .. ")")
  end
  return true
end }
