-- §3.2: topics starting with '@' are rejected everywhere; sending to a PID or name that
-- does not exist answers nil plus an error saying "not found"; nothing is delivered.
local t = require("t")

local function main()
  local me = process.pid()
  local ok, err = process.send(me, "@system", 1)
  t.eq(ok, nil, "send with an '@' topic")
  t.err(err, "Invalid", { "@system" }, "send with an '@' topic")
  -- A bad listen topic is `nil, err` (Invalid), not a raise (WIPPY-API.md §2).
  local lch, lerr = process.listen("@x")
  t.eq(lch, nil, "listen of an '@' topic")
  t.err(lerr, "Invalid", { "@x" }, "listen of an '@' topic")

  local dead = "{apptest@app:processes|0xfffffff}"
  ok, err = process.send(dead, "t", 1)
  t.eq(ok, nil, "send to an unknown PID")
  t.contains(tostring(err), "not found", "send to an unknown PID")
  t.eq(err:kind(), "NotFound", "kind of the unknown-PID error")
  ok, err = process.send("app.processes.no-such-name", "t", 1)
  t.eq(ok, nil, "send to an unknown name")
  t.contains(tostring(err), "not found", "send to an unknown name")

  t.eq(#t.drain(process.inbox(), 30), 0, "messages delivered by rejected sends")
  return true
end

return { main = main }
