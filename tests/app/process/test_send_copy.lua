-- WIPPY-API.md §2 send deep-copies values: the receiver's copy is independent; channels
-- and non-error userdata become nil; errors are kept.
local t = require("t")

local function main()
  local me = process.pid()
  local inbox = process.listen("copy")
  local v = { list = { 1, 2 }, ch = channel.new(), err = errors.new({ message = "kept", kind = "K" }), n = 1 }
  process.send(me, "copy", v)
  v.list[1] = 100
  local got = t.recv(inbox, "the copy")
  t.eq(got.list, { 1, 2 }, "the copy is independent of the sender's table")
  t.eq(got.ch, nil, "a channel arrives as nil")
  t.err(got.err, "K", { "kept" }, "an error is kept")
  t.eq(got.n, 1, "a number")
  process.send(me, "copy", channel.new())
  t.eq(t.recv(inbox, "a channel alone"), nil, "a channel alone arrives as nil")
  return true
end

return { main = main }
