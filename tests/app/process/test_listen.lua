-- WIPPY-API.md §2 listen(topic [, {message = true}]) → a channel of values (1 payload →
-- the value, 0 → nil, n → an array) or of Messages; "" or '@' topic → nil, err (Invalid).
local t = require("t")

local function main()
  local me = process.pid()
  local ch = process.listen("values")
  process.send(me, "values", { k = 1 })
  t.eq(t.recv(ch, "one value"), { k = 1 }, "one payload")
  process.send(me, "values")
  local v, ok = t.recv(ch, "no value")
  t.eq({ v, ok }, { nil, true }, "no payload")
  process.send(me, "values", 1, 2, 3)
  t.eq(t.recv(ch, "three values"), { 1, 2, 3 }, "several payloads")

  local mch = process.listen("msgs", { message = true })
  process.send(me, "msgs", "hi")
  local m = t.recv(mch, "a message")
  t.eq(tostring(m), "process.Message{topic=msgs}", "a Message")
  t.eq(m:from(), me, "message from")
  t.eq(m:payload():data(), "hi", "message payload")

  for _, bad in ipairs({ "", "@x" }) do
    local c, err = process.listen(bad)
    t.eq(c, nil, "listen(" .. t.show(bad) .. ")")
    t.err(err, "Invalid", {}, "listen(" .. t.show(bad) .. ")")
  end
  return true
end

return { main = main }
