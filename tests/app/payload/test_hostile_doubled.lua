-- WIPPY-API.md §5 under hostile input: payload.new and transcode of values whose copy
-- would be astronomically large raise (payload.new) or fail (nil, err) cleanly: the copy
-- budget (max_message, 1 MiB for this test entry) stops them; nothing hangs.
local t = require("t")

local function main()
  -- A table shared 2^40 times over (tiny in Lua, astronomically large as a copy):
  -- refused by the copy budget, not built.
  local d = { "leaf" }
  for _ = 1, 40 do
    d = { d, d }
  end
  local ok, msg = pcall(payload.new, d)
  t.eq(ok, false, "payload.new of a 2^40-fold shared table")
  t.contains(tostring(msg), "max_message", "the refusal names max_message")

  -- A string over max_message.
  ok, msg = pcall(payload.new, string.rep("z", 2 * 1024 * 1024))
  t.eq(ok, false, "payload.new of a 2 MiB string with max_message 1 MiB")
  t.contains(tostring(msg), "max_message", "the refusal names max_message")
  -- JSON text over max_message when escaping grows it: transcode fails cleanly.
  local p = payload.new(string.rep("\1", 400 * 1024))
  local j, err = p:transcode(payload.format.JSON)
  if j ~= nil then
    t.ok(#j:data() == 400 * 1024, "escaped JSON round trip")
  else
    t.err(err, "Internal", {}, "transcode whose text is over max_message")
  end
  return true
end

return { main = main }
