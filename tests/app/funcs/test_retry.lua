-- WIPPY-API.md §8 funcs.new():with_options{retry = {...}}: a failed call is tried again
-- up to max_attempts (delays in ms); skip_kinds and retry_kinds choose which kinds are
-- retried; the last error is the result.
local t = require("t")

-- Answer `verdicts` (one per attempt) and return the attempts seen.
local function drive(attempts, verdicts)
  local pids = {}
  for i, v in ipairs(verdicts) do
    local pid = t.recv(attempts, "attempt " .. i, 5000)
    table.insert(pids, pid)
    process.send(pid, "verdict", v)
  end
  return pids
end

local function main()
  local me = process.pid()
  local attempts = process.listen("attempt")
  local retry = funcs.new():with_options({ retry = { max_attempts = 3, initial_delay = 10, max_delay = 20 } })

  -- Fails twice, succeeds on the third attempt.
  local f = retry:async("app.funcs:flaky", me)
  local pids = drive(attempts, { "fail", "fail", "ok" })
  t.ok(pids[1] ~= pids[2] and pids[2] ~= pids[3], "each attempt is a new call")
  t.eq(t.recv(f:response(), "the retried result", 5000):data(), "succeeded", "result after two retries")

  -- Exhausted: three failures, the last error is the result; no 4th attempt.
  f = retry:async("app.funcs:flaky", me)
  drive(attempts, { "fail", "fail", "fail" })
  local e = t.recv(f:response(), "the exhausted result", 5000)
  t.err(e, "Unavailable", { "try again" }, "error after max_attempts")
  t.eq(t.drain(attempts, 200), {}, "attempts after max_attempts")

  -- skip_kinds: not retried.
  local skip = funcs.new():with_options({ retry = { max_attempts = 3, initial_delay = 10, skip_kinds = { "Conflict" } } })
  f = skip:async("app.funcs:flaky", me, "Conflict")
  drive(attempts, { "fail" })
  t.err(t.recv(f:response(), "the skipped result", 5000), "Conflict", {}, "a kind in skip_kinds")
  t.eq(t.drain(attempts, 200), {}, "attempts after a skipped kind")

  -- retry_kinds: only those are retried.
  local only = funcs.new():with_options({ retry = { max_attempts = 3, initial_delay = "10ms", retry_kinds = { "Timeout" } } })
  f = only:async("app.funcs:flaky", me, "Unavailable")
  drive(attempts, { "fail" })
  t.err(t.recv(f:response(), "the non-retried result", 5000), "Unavailable", {}, "a kind not in retry_kinds")
  t.eq(t.drain(attempts, 200), {}, "attempts after a kind not in retry_kinds")
  f = only:async("app.funcs:flaky", me, "Timeout")
  drive(attempts, { "fail", "ok" })
  t.eq(t.recv(f:response(), "the retried Timeout", 5000):data(), "succeeded", "a kind in retry_kinds is retried")

  -- funcs.call with retry.
  local co = channel.new(1)
  coroutine.spawn(function()
    co:send({ retry:call("app.funcs:flaky", me) })
  end)
  drive(attempts, { "fail", "ok" })
  t.eq(co:receive(), { "succeeded" }, "executor call with retry")
  return true
end

return { main = main }
