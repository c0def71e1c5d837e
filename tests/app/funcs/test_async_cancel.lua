-- §5 future:cancel(): kills the running call with CANCELED (it has no further effect)
-- and returns true; cancelling again, or a completed call, returns false.
local t = require("t")
local funcs = require("funcs")

local function main()
  local me = process.pid()
  local late = process.listen("late_notify")
  local f = funcs.async("app.funcs:slow_notify", me, 150, "cancelled call")
  t.eq(f:cancel(), true, "cancel of a running call")
  local v, err = f:result()
  t.eq(v, nil, "result() value of a cancelled call")
  t.err(err, "Canceled", {}, "result() error of a cancelled call")
  t.err(f:error(), "Canceled", {}, "error() of a cancelled call")
  t.eq({ f:response():receive() }, { nil, false }, "response of a cancelled call")
  t.eq(f:cancel(), false, "second cancel")
  t.eq(t.drain(late, 300), {}, "messages from the cancelled call")

  local done = funcs.async("app.funcs:add", 1, 1)
  t.eq(done:result(), 2, "result of a quick call")
  t.eq(done:cancel(), false, "cancel of a completed call")
  t.eq(done:result(), 2, "result after a late cancel")
  return true
end

return { main = main }
