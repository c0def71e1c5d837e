-- WIPPY-API.md §5 under hostile input: a big value (20,000 tables, a 4 MiB string)
-- goes through every transcode; a too-big copy: test_hostile_doubled.lua.
local t = require("t")

local function main()
  -- A big but legal value: 20,000 entries.
  local big = {}
  for i = 1, 20000 do
    big[i] = { i = i, s = "item" }
  end
  local p = payload.new(big)
  big = nil
  local j, err = p:transcode(payload.format.JSON)
  t.eq(err, nil, "transcode of 20,000 entries to JSON")
  local m, merr = j:transcode(payload.format.MSGPACK)
  t.eq(merr, nil, "JSON → MessagePack of 20,000 entries")
  local back = m:data()
  t.eq(#back, 20000, "entries after the round trip")
  t.eq(back[20000], { i = 20000, s = "item" }, "last entry after the round trip")
  p, j, m, back = nil, nil, nil, nil

  -- A string of 4 MiB.
  local s = payload.new(string.rep("y", 4 * 1024 * 1024))
  t.eq(#s:transcode(payload.format.JSON):data(), 4 * 1024 * 1024, "4 MiB string through JSON")
  s = nil

  return true
end

return { main = main }
