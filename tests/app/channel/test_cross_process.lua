-- WIPPY-API.md §3: channels never cross processes (sent as nil), also inside tables.
local t = require("t")

local function main()
  local inbox = process.listen("ch")
  process.send(process.pid(), "ch", { c = channel.new(), keep = 1 })
  t.eq(t.recv(inbox, "the message"), { keep = 1 }, "a channel inside a sent table")
  return true
end

return { main = main }
