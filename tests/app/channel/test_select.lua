-- WIPPY-API.md §3 channel.select{case, ...}: the first ready case in array order runs;
-- result {channel = ch, value = v, ok = bool}; for a send case value is the sent value
-- and ok true; a closed channel's receive case gives ok false.
local t = require("t")

local function main()
  local a, b = channel.new(1), channel.new(1)
  a:send("from a")
  b:send("from b")
  local r = channel.select({ a:case_receive(), b:case_receive() })
  t.ok(r.channel == a, "the first ready case in array order")
  t.eq({ r.value, r.ok }, { "from a", true }, "receive case result")
  r = channel.select({ a:case_receive(), b:case_receive() })
  t.ok(r.channel == b, "the only ready case")
  t.eq(r.value, "from b", "its value")

  local s = channel.new(1)
  r = channel.select({ s:case_send({ x = 1 }) })
  t.ok(r.channel == s, "send case channel")
  t.eq({ r.value, r.ok }, { { x = 1 }, true }, "send case result: value is the sent value")
  t.eq(s:receive(), { x = 1 }, "the value was sent")

  local c = channel.new()
  c:close()
  r = channel.select({ c:case_receive() })
  t.ok(r.channel == c, "closed channel case")
  t.eq({ r.value, r.ok }, { nil, false }, "receive case on a closed channel")

  -- Blocks until a case is ready.
  local later = channel.new()
  coroutine.spawn(function()
    time.sleep("10ms")
    later:send("late")
  end)
  r = channel.select({ later:case_receive() })
  t.eq(r.value, "late", "select waited for a value")
  t.eq(type(a:case_receive()), "userdata", "a case is a userdata")
  t.eq(type(a:case_send(1)), "userdata", "a send case is a userdata")
  return true
end

return { main = main }
