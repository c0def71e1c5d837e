-- WIPPY-API.md §2 process.send(dest, topic, ...) → true; `nil, err` for an '@' topic
-- (Invalid), an unknown name (NotFound) and a dead PID (NotFound). Wippy's exact texts:
-- test_send_texts.lua.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.listen("hello")
  t.eq({ process.send(me, "hello", "x") }, { true }, "send to self")
  t.eq(t.recv(inbox, "the message"), "x", "payload")

  local ok, err = process.send(me, "@system", 1)
  t.eq(ok, nil, "send with an '@' topic")
  t.err(err, "Invalid", {}, "send with an '@' topic")

  ok, err = process.send("app.process.no-such-name", "t", 1)
  t.eq(ok, nil, "send to an unknown name")
  t.err(err, "NotFound", { "app.process.no-such-name", "not found" }, "send to an unknown name")

  local dead = process.spawn_monitored("app.process:worker", nil, "value", me, 1)
  t.event(process.events(), process.event.EXIT, dead)
  ok, err = process.send(dead, "t", 1)
  t.eq(ok, nil, "send to a dead PID")
  t.err(err, "NotFound", { "not found" }, "send to a dead PID")
  return true
end

return { main = main }
