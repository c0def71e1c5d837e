-- The kernel bounds a process's subscriptions (they live outside max_memory): at most
-- 4096 listened topics, each at most 1024 bytes. Past either, listen is nil, err and the
-- subscriptions already made keep working; an unlisten makes room again.
local t = require("t")

local function main()
  local me = process.pid()
  local chans = {}
  for i = 1, 4096 do
    local ch, err = process.listen("t" .. i)
    if not ch then
      error("listen " .. i .. " refused: " .. tostring(err), 0)
    end
    chans[i] = ch
  end
  local ch, err = process.listen("one more")
  t.eq(ch, nil, "listen past 4096 topics")
  t.err(err, "Unavailable", {}, "listen past 4096 topics")
  t.ok(process.listen("t7") ~= nil, "an existing topic is fine past the bound")

  local long, lerr = process.listen(string.rep("x", 1025))
  t.eq(long, nil, "a 1025-byte topic")
  t.err(lerr, "Invalid", {}, "a 1025-byte topic")

  process.send(me, "t4096", "still routed")
  t.eq(t.recv(chans[4096], "the last topic"), "still routed", "the last topic works")

  t.eq({ process.unlisten(chans[1]) }, { true }, "unlisten one")
  local again = process.listen("one more")
  t.ok(again ~= nil, "room again after an unlisten")
  process.send(me, "one more", 1)
  t.eq(t.recv(again, "the new topic"), 1, "the new topic works")
  return true
end

return { main = main }
