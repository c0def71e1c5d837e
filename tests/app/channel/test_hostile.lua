-- WIPPY-API.md §3 under hostile input: a select over 10,000 cases, 1,000 coroutines
-- blocked on one channel woken by close, and a huge buffer size all end cleanly.
local t = require("t")

local function main()
  local chans, cases = {}, {}
  for i = 1, 10000 do
    chans[i] = channel.new(1)
    cases[i] = chans[i]:case_receive()
  end
  chans[10000]:send("last")
  local r = channel.select(cases)
  t.ok(r.channel == chans[10000], "the only ready case of 10,000")

  local gate = channel.new()
  local woke = channel.new(1000)
  for _ = 1, 1000 do
    coroutine.spawn(function()
      local _, ok = gate:receive()
      woke:send(ok)
    end)
  end
  time.sleep("10ms")
  gate:close()
  for i = 1, 1000 do
    t.eq(woke:receive(), false, "woken receiver " .. i)
  end
  local ok = pcall(channel.new, 1e15)
  t.ok(ok == true or ok == false, "channel.new(1e15) ended")
  t.raises({}, channel.new, -1)
  return true
end

return { main = main }
