-- The chaos process of the chaos test (tests/chaos.rs). main(secs, seed):
--
-- 1. waits until every worker name is registered;
-- 2. for `secs` seconds, every 25–99 ms, terminates one random process: a worker (looked
--    up by name) or, one time in six, a pool supervisor (`app:lua_pool`, `app:wasm_pool`;
--    the test sends their PIDs on topic `supervisor` as they start, since supervisors
--    have no names). Choices come from a generator seeded with `seed`, so a run's
--    sequence of choices can be replayed (the timing around it cannot);
-- 3. once every name kept its holder for 200 ms, stops every Lua worker (`stop` →
--    `stopped`, retried on the name's next holder if the process exits first), then asks
--    each for its report (retrying the same way), and returns the kill counts, the
--    workers' message counts and violations, and the reports.
local time = require("time")

local LUA = { "lua_1", "lua_2", "lua_3", "lua_4" }
local WORKERS = { "lua_1", "lua_2", "lua_3", "lua_4", "wasm_1", "wasm_2" }
local POOLS = { "app:lua_pool", "app:wasm_pool" }

-- Park–Miller "minimal standard" generator (every product stays below 2^53, so doubles
-- are exact). Not math.random: its state belongs to the worker's VM, not to this process.
local function generator(seed)
  local x = seed % 2147483646 + 1
  return function(n) -- an integer in 1..n
    x = x * 48271 % 2147483647
    return x % n + 1
  end
end

local function now_ms()
  return time.now():unix_nano() / time.MILLISECOND
end

local function main(secs, seed)
  local rand = generator(seed)
  -- Listen before opening the inbox: PIDs the test sent before this runs would otherwise
  -- go to the inbox (SPEC §3.2 routing), not to this channel.
  local supervisors = process.listen("supervisor") -- {id = ..., pid = ...} from the test
  local inbox, events = process.inbox(), process.events()
  local pools = {} -- supervisor ID -> latest PID
  local counts = { received = 0, sent = 0 }
  local violations = {}
  local kills = { lua = 0, wasm = 0, supervisor = 0, missed = 0 }
  local retries = 0
  local updates = 0 -- supervisor PIDs received
  local exited = {} -- PID -> true once its EXIT arrived (monitored workers only)

  local function take_counts(c)
    counts.received += c.received or 0
    counts.sent += c.sent or 0
    for _, v in ipairs(c.violations or {}) do
      table.insert(violations, v)
    end
  end

  -- Handle whatever is queued without waiting.
  local function drain()
    while true do
      local r = channel.select({ inbox:case_receive(), supervisors:case_receive(), default = true })
      if r.default then
        return
      elseif r.channel == supervisors then
        pools[r.value.id] = r.value.pid
        updates += 1
      elseif r.value:topic() == "count" then
        take_counts(r.value:payload():data())
      end
    end
  end

  -- Wait for a `topic` message from `pid` (its payload) or for `pid`'s exit (nil);
  -- `pid` is monitored by the caller. Counts keep being collected, and the exits of the
  -- other monitored workers remembered, meanwhile.
  local function await(pid, topic)
    while true do
      if exited[pid] then
        return nil
      end
      local r = channel.select({ inbox:case_receive(), events:case_receive(), supervisors:case_receive() })
      if r.channel == events then
        if r.value.kind == process.event.EXIT then
          exited[r.value.from] = true
        end
      elseif r.channel == supervisors then
        pools[r.value.id] = r.value.pid
        updates += 1
      else
        local m = r.value
        if m:topic() == "count" then
          take_counts(m:payload():data())
        elseif m:topic() == topic and m:from() == pid then
          return m:payload():data()
        end
      end
    end
  end

  -- The current holder of `name`, monitored; waits while the name is unbound.
  local function holder(name)
    while true do
      local pid = process.registry.lookup(name)
      if pid and process.monitor(pid) then
        return pid
      end
      time.sleep("5ms")
    end
  end

  -- Stop the current holder of `name`; its PID.
  local function stop(name)
    while true do
      local pid = holder(name)
      if process.send(pid, "stop") and await(pid, "stopped") then
        return pid
      end
      retries += 1
    end
  end

  for _, name in ipairs(WORKERS) do
    process.unmonitor(holder(name))
  end

  local t0 = now_ms()
  while now_ms() - t0 < secs * 1000 do
    time.sleep((24 + rand(75)) .. "ms")
    drain()
    local victim, kind = nil, nil
    if rand(6) == 1 then
      local id = POOLS[rand(#POOLS)]
      victim, kind = pools[id], "supervisor"
    else
      local name = WORKERS[rand(#WORKERS)]
      victim = process.registry.lookup(name)
      kind = string.sub(name, 1, 3) == "lua" and "lua" or "wasm"
    end
    if victim and process.terminate(victim) then
      kills[kind] += 1
    else
      kills.missed += 1
    end
  end

  -- Let the last restarts finish and the final workers exchange a few rounds: wait until
  -- every name has kept the same holder for 200 ms (coverage of the final check, not
  -- correctness: any timing works).
  local function holders()
    local h = {}
    for _, name in ipairs(WORKERS) do
      h[name] = process.registry.lookup(name) or ""
    end
    return h
  end
  local before = holders()
  while true do
    time.sleep("200ms")
    drain()
    local now, same = holders(), true
    for _, name in ipairs(WORKERS) do
      same = same and now[name] ~= "" and now[name] == before[name]
    end
    if same then
      break
    end
    before = now
  end

  -- Every worker stops sending before any is asked for its report, so each report holds
  -- the `fin` of every other stopped worker.
  local stopped = {}
  for _, name in ipairs(LUA) do
    stopped[name] = stop(name)
  end
  local reports = {}
  for _, name in ipairs(LUA) do
    while true do
      local pid = stopped[name]
      local rep = process.send(pid, "report") and await(pid, "report")
      if rep then
        process.unmonitor(pid)
        take_counts(rep)
        table.insert(reports, rep)
        break
      end
      -- Exited after it stopped (its pool was being restarted): stop its successor.
      retries += 1
      stopped[name] = stop(name)
    end
  end
  drain()
  return {
    seed = seed,
    secs = secs,
    kills = kills,
    retries = retries,
    updates = updates,
    received = counts.received,
    sent = counts.sent,
    violations = violations,
    reports = reports,
  }
end

return { main = main }
