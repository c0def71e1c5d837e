-- §5 funcs.async: calls run in parallel: 5 calls that each sleep 100 ms finish together
-- well before 5 x 100 ms; each future has its own result.
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
    local v, err = futures[i]:result()
    t.eq({ v, err }, { "result " .. i }, "future " .. i)
  end
  local elapsed = time.now():sub(t0):milliseconds()
  t.ok(elapsed >= 95, "5 parallel sleeps of 100 ms took only " .. elapsed .. " ms")
  t.ok(elapsed < 450, "5 parallel sleeps of 100 ms took " .. elapsed .. " ms (not parallel?)")

  -- The same through the response channels and select.
  t0 = time.now()
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
    got[r.value] = true
    pending[r.value] = nil
  end
  t.eq(got, { true, true, true, true, true }, "all five responses")
  t.ok(time.now():sub(t0):milliseconds() < 400, "five parallel 60 ms calls via select were not parallel")
  return true
end

return { main = main }
