-- WIPPY-API.md §8 funcs.async: calls run in parallel: 5 calls that each sleep 100 ms all
-- answer on their own response channels (each future has its own result); the same
-- through select over the channels.
local t = require("t")
local funcs = require("funcs")
local time = require("time")

local function main()
  local t0 = time.now()
  local futures = {}
  for i = 1, 5 do
    futures[i] = funcs.async("app.funcs:sleeper", 100, "result " .. i)
  end
  for i = 1, 5 do
    local p, ok = t.recv(futures[i]:response(), "future " .. i, 5000)
    t.eq(ok, true, "future " .. i .. " ok")
    t.eq(p:data(), "result " .. i, "future " .. i)
  end
  local elapsed = time.now():sub(t0):milliseconds()
  t.ok(elapsed >= 95, "5 parallel sleeps of 100 ms took only " .. elapsed .. " ms")

  -- The same through the response channels and select.
  local pending, got = {}, {}
  for i = 1, 5 do
    pending[i] = funcs.async("app.funcs:sleeper", 60, i):response()
  end
  for _ = 1, 5 do
    local cases = {}
    for _, ch in pairs(pending) do
      table.insert(cases, ch:case_receive())
    end
    local r = channel.select(cases)
    t.eq(r.ok, true, "response ok")
    local n = r.value:data()
    got[n] = true
    pending[n] = nil
  end
  t.eq(got, { true, true, true, true, true }, "all five responses")
  return true
end

return { main = main }
