-- WIPPY-API.md §8 future:cancel(): returns true, marks the future canceled and closes its
-- channel; the call itself keeps running (its result is dropped), so its side effects
-- still happen. After cancel: result() is `nil, err` (Canceled), error() is `nil, false`.
local t = require("t")
local funcs = require("funcs")

local function main()
  local me = process.pid()
  local late = process.listen("late_notify")
  local f = funcs.async("app.funcs:slow_notify", me, 150, "cancelled call")
  t.eq(f:is_canceled(), false, "is_canceled before cancel")
  t.eq(f:cancel(), true, "cancel of a running call")
  t.eq(f:is_canceled(), true, "is_canceled after cancel")
  local v, err = f:result()
  t.eq(v, nil, "result() value of a cancelled call")
  t.err(err, "Canceled", {}, "result() error of a cancelled call")
  t.eq({ f:error() }, { nil, false }, "error() of a cancelled call")
  t.eq({ f:response():receive() }, { nil, false }, "response of a cancelled call")
  t.eq({ f:channel():receive() }, { nil, false }, "channel() of a cancelled call")
  t.eq(f:cancel(), true, "second cancel")
  -- The call was not killed: it still sends its message.
  t.eq(t.recv(late, "the cancelled call's message"), "cancelled call", "message from the cancelled call")
  -- Its result never reaches the future.
  t.eq(t.pending(f:response()), {}, "items on the channel after the call ended")
  t.eq(f:is_canceled(), true, "is_canceled after the call ended")
  return true
end

return { main = main }
