-- §3.2: a message whose topic is listened goes to that channel (payload values), the
-- rest fall back to the inbox; listen/inbox twice give the same channel; listen with
-- {message=true} yields Message objects; unlisten sends the topic back to the inbox.
local t = require("t")

local function main()
  local me = process.pid()
  local a = process.listen("a")
  t.ok(process.listen("a") == a, "listen twice returned a different channel")
  local inbox = process.inbox()
  t.ok(process.inbox() == inbox, "inbox twice returned a different channel")
  local m = process.listen("m", { message = true })

  process.exec("app.processes:sender", nil, me, {
    { "b", 1 }, { "a", 2 }, { "m", 3 }, { "b", 4 }, { "a", 5 }, { "c", 6 },
  })
  t.eq(t.drain(a, 50), { 2, 5 }, "values on the 'a' listener")
  local rest = {}
  for _, msg in ipairs(t.pending(inbox)) do
    table.insert(rest, msg:topic() .. "=" .. tostring(msg:payload():data()))
  end
  t.eq(rest, { "b=1", "b=4", "c=6" }, "inbox fallback")
  local got = t.pending(m)
  t.eq(#got, 1, "messages on the {message=true} listener")
  t.eq(got[1]:topic(), "m", "topic of the listened Message")
  t.eq(got[1]:payload():data(), 3, "payload of the listened Message")

  -- After unlisten, "a" goes to the inbox.
  t.eq(process.unlisten(a), true, "unlisten of a listened channel")
  t.eq(process.unlisten(a), false, "second unlisten")
  process.exec("app.processes:sender", nil, me, { { "a", 7 } })
  local msg = t.recv(inbox, "'a' after unlisten")
  t.eq({ msg:topic(), msg:payload():data() }, { "a", 7 }, "message after unlisten")
  t.eq(#t.pending(a), 0, "the unlistened channel got a value")
  return true
end

return { main = main }
