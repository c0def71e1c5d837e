-- §3.1: a PID prints as {node@host|0x<hex, at least 5 digits>}, is a string, and a
-- spawned process sees the same PID for itself that its spawner got.
local t = require("t")

local function main()
  local me = process.pid()
  t.eq(type(me), "string", "type of process.pid()")
  t.ok(string.match(me, t.pid_pattern("app:processes")) ~= nil, "own PID has the wrong format: " .. me)

  local inbox = process.inbox()
  local child = process.spawn("app.processes:echo", nil)
  t.ok(string.match(child, t.pid_pattern("app:processes")) ~= nil, "child PID has the wrong format: " .. child)
  t.ok(child ~= me, "child and parent have the same PID")
  -- On another host the host part changes.
  local far = process.spawn("app.processes:echo", "app:other")
  t.ok(string.match(far, t.pid_pattern("app:other")) ~= nil, "PID on app:other has the wrong format: " .. far)

  process.send(child, "who", "x")
  local msg = t.recv(inbox, "the echo")
  t.eq(msg:from(), child, "msg:from() of the child's reply")
  t.ok(msg:from() == child, "PIDs compare with ==")
  process.send(child, "stop")
  process.send(far, "stop")
  return true
end

return { main = main }
