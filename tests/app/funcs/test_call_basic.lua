-- §5 funcs.call: arguments in, value out; a function runs as its own process (own PID,
-- can process.send); functions can call functions; arguments and results are copies;
-- unknown IDs and non-functions fail.
local t = require("t")
local funcs = require("funcs")

local function main()
  local me = process.pid()
  local v, err = funcs.call("app.funcs:add", 2, 3)
  t.eq({ v, err }, { 5 }, "add(2, 3)")
  t.eq(funcs.call("app.funcs:nested", 4), 80, "nested call")

  -- Arguments and results are copies.
  local arg = { list = { "original" } }
  local back = funcs.call("app.funcs:mutate", arg)
  t.eq(back, { list = { "changed" }, changed = true }, "result of mutate")
  t.eq(arg, { list = { "original" } }, "our argument after the function changed its copy")
  back.list[1] = "ours"
  t.eq(arg.list[1], "original", "the result shares tables with the argument")

  local inbox = process.listen("from_fn")
  local fn_pid = funcs.call("app.funcs:identify", me)
  t.ok(type(fn_pid) == "string" and string.match(fn_pid, t.pid_pattern("app:processes")) ~= nil,
    "function PID " .. t.show(fn_pid))
  t.ok(fn_pid ~= me, "a function has its caller's PID")
  t.eq(t.recv(inbox, "the function's message"), fn_pid, "message sent from inside the function")

  v, err = funcs.call("app.funcs:no_such_fn")
  t.eq(v, nil, "value of a call to a missing function")
  t.err(err, "NotFound", { "app.funcs:no_such_fn" }, "call to a missing function")
  v, err = funcs.call("app.funcs:ctx_child")
  t.eq(v, nil, "value of a call to a process entry")
  t.err(err, "Invalid", { "app.funcs:ctx_child", "process.lua" }, "call to a process entry")
  local f, aerr = funcs.async("app.funcs:no_such_fn")
  t.eq(f, nil, "funcs.async of a missing function")
  t.err(aerr, "NotFound", { "app.funcs:no_such_fn" }, "funcs.async of a missing function")
  return true
end

return { main = main }
