-- §3.2: payloads are deep-copied: changing a table after sending it, or the receiver
-- changing its copy, does not affect the other side; functions and channels become nil.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.listen("self")
  local data = { n = 1, nested = { list = { 1, 2, 3 } }, f = function() end, ch = channel.new() }
  process.send(me, "self", data)
  data.n = 99
  data.nested.list[1] = 100
  local got = t.recv(inbox, "message to self")
  t.eq(got, { n = 1, nested = { list = { 1, 2, 3 } } }, "received copy")
  t.ok(got ~= data, "the receiver got the very same table")

  local echo = process.spawn("app.processes:echo")
  local back = process.listen("echo:copy")
  local original = { k = "v", inner = { x = 1 } }
  process.send(echo, "copy", original)
  original.inner.x = 2
  local reply = t.recv(back, "the echo")
  t.eq(reply, { k = "v", inner = { x = 1 }, touched = true }, "what the echo received and changed")
  t.eq(original, { k = "v", inner = { x = 2 } }, "our table after the echo changed its copy")
  -- Several payload values travel as one array.
  process.send(me, "self", "a", 2, true)
  t.eq(t.recv(inbox, "multi-value message"), { "a", 2, true }, "several payload values")
  process.send(echo, "stop")
  return true
end

return { main = main }
