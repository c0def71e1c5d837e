-- WIPPY-API.md §8 funcs.async futures: response()/channel() (the same channel) receive
-- exactly one item and close: a Payload on success, the error object on failure;
-- is_complete; result() never blocks (pending → nil, nil; done → Payload, nil; failed →
-- nil, err with the kind kept); error() → err, true (kind Internal) / nil, false.
local t = require("t")
local funcs = require("funcs")

-- Wait (polling, never blocking in the future) until `f` completes.
local function wait_complete(f)
  for _ = 1, 600 do
    if f:is_complete() then
      return
    end
    time.sleep("5ms")
  end
  t.fail("the future never completed")
end

local function main()
  -- Success.
  local f = funcs.async("app.funcs:sleeper", 40, { answer = 42 })
  t.eq(f:is_complete(), false, "is_complete before the call ended")
  t.eq({ f:error() }, { nil, false }, "error() while running")
  t.eq({ f:result() }, { nil, nil }, "result() while running")
  t.eq(select("#", f:result()), 2, "result() while running gives two values")
  local ch = f:response()
  t.ok(f:response() == ch, "response() twice returned another channel")
  t.ok(f:channel() == ch, "channel() is not the response channel")
  local item, ok = ch:receive()
  t.eq(ok, true, "receive ok")
  t.eq(tostring(item), "payload{format=lua/any}", "item on the response channel")
  t.eq(item:data(), { answer = 42 }, "the Payload's data")
  t.eq(f:is_complete(), true, "is_complete after the value")
  t.eq({ ch:receive() }, { nil, false }, "response channel after its value")
  local p, perr = f:result()
  t.eq(perr, nil, "result() error after completion")
  t.eq(p:get_format(), payload.format.LUA, "result() is a Payload")
  t.eq(p:data(), { answer = 42 }, "result() data after completion")
  t.eq({ f:error() }, { nil, false }, "error() after success")

  -- The response channel keeps its item until read, even after result().
  f = funcs.async("app.funcs:add", 20, 22)
  wait_complete(f)
  t.eq(f:result():data(), 42, "result() of add")
  t.eq(f:response():receive():data(), 42, "response() read after result()")
  t.eq({ f:response():receive() }, { nil, false }, "response() after its item was read")

  -- channel() is the same channel under another name.
  f = funcs.async("app.funcs:add", 1, 2)
  t.eq(f:channel():receive():data(), 3, "channel() of add")

  -- Failure: the error object, then closed.
  f = funcs.async("app.funcs:fail", "raise", "bad thing")
  local e, eok = f:response():receive()
  t.eq(eok, true, "receive of a failed call")
  t.eq(type(e), "userdata", "item of a failed call")
  t.eq(e:message(), "bad thing", "error item message")
  t.eq(e:kind(), "Internal", "a raised string is Internal across the call")
  t.eq({ f:response():receive() }, { nil, false }, "response channel after the error")
  t.eq(f:is_complete(), true, "is_complete after failure")
  local fe, failed = f:error()
  t.eq(failed, true, "error() flag after failure")
  t.err(fe, "Internal", { "bad thing" }, "error() after failure")
  local v, err = f:result()
  t.eq(v, nil, "result() value after failure")
  t.err(err, "Internal", { "bad thing" }, "result() error after failure")

  f = funcs.async("app.funcs:fail", "not_found", "nothing here")
  e = f:response():receive()
  t.err(e, "NotFound", { "nothing here" }, "error item keeps its kind")
  local rv, rerr = f:result()
  t.eq(rv, nil, "result() of a NotFound function")
  t.err(rerr, "NotFound", { "nothing here" }, "result() keeps the kind")
  fe, failed = f:error()
  t.eq(failed, true, "error() flag")
  t.err(fe, "Internal", { "nothing here" }, "error() forces the kind to Internal")
  return true
end

return { main = main }
