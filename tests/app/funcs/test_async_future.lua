-- §5 funcs.async futures: response() yields the value once then is closed; on failure it
-- is closed without a value and error()/result() say why; is_complete; result() waits.
local t = require("t")
local funcs = require("funcs")
local time = require("time")

local function main()
  -- Success.
  local f = funcs.async("app.funcs:sleeper", 40, { answer = 42 })
  t.eq(f:is_complete(), false, "is_complete before the call ended")
  t.eq(f:error(), nil, "error() while running")
  local ch = f:response()
  t.ok(f:response() == ch, "response() twice returned another channel")
  t.eq({ ch:receive() }, { { answer = 42 }, true }, "value on the response channel")
  t.eq(f:is_complete(), true, "is_complete after the value")
  t.eq({ ch:receive() }, { nil, false }, "response channel after its value")
  t.eq({ f:result() }, { { answer = 42 } }, "result() after completion")
  t.eq(f:error(), nil, "error() after success")

  -- The response channel keeps its value until read, even after result().
  f = funcs.async("app.funcs:add", 20, 22)
  t.eq(f:result(), 42, "result() of add")
  t.eq({ f:response():receive() }, { 42, true }, "response() read after result()")
  t.eq({ f:response():receive() }, { nil, false }, "response() after its value was read")

  -- Failure: closed without a value.
  f = funcs.async("app.funcs:fail", "raise", "bad thing")
  t.eq({ f:response():receive() }, { nil, false }, "response channel of a failed call")
  t.eq(f:is_complete(), true, "is_complete after failure")
  t.eq(f:error():message(), "bad thing", "error() after failure")
  local v, err = f:result()
  t.eq(v, nil, "result() value after failure")
  t.eq(err:message(), "bad thing", "result() error after failure")

  f = funcs.async("app.funcs:fail", "not_found", "nothing here")
  local rv, rerr = f:result()
  t.eq(rv, nil, "result() of a NOT_FOUND function")
  t.err(rerr, "NOT_FOUND", { "nothing here" }, "result() error kind")
  t.err(f:error(), "NOT_FOUND", { "nothing here" }, "error() kind")

  -- result() waits when needed.
  local t0 = time.now()
  f = funcs.async("app.funcs:sleeper", 50, "waited")
  t.eq(f:result(), "waited", "result() of a running call")
  t.ok(time.now():sub(t0):milliseconds() >= 45, "result() returned before the call ended")
  t.eq(f:is_complete(), true, "is_complete after result()")
  return true
end

return { main = main }
