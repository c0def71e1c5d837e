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
  -- Nobody reads: the buffer fills to 16 and further ticks are dropped.
  -- (About 75 ticks fall due while it sleeps; the 16 buffered ones were all made before
  -- it woke, later ones only once there was room.)
  tk = time.ticker("2ms")
  time.sleep("150ms")
  local woke = time.now()
  local held = t.pending(tk:channel())
  t.ok(#held >= 16 and #held < 40, "ticks buffered while nobody reads: " .. #held)
  t.ok(held[16]:before(woke), "the 16th tick was buffered before the reader woke")
  if held[17] then t.ok(not held[17]:before(woke), "a 17th tick was buffered while full") end
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
