-- WIPPY-API.md §10.3 system.runtime: goroutines() = live processes (counts live children),
-- max_procs() = worker threads of all hosts (setting it → nil, Invalid), cpu_count() ≥ 1.
local t = require("t")
local system = require("system")
local errors = require("errors")

local function main()
  local before = system.runtime.goroutines()
  t.ok(before >= 1, "goroutines() counts at least this test")
  local pids = {}
  for i = 1, 5 do
    pids[i] = process.spawn("app.system:sleeper", "app:processes")
  end
  -- Other tests start and end processes meanwhile: count only what must be alive.
  t.ok(system.runtime.goroutines() >= 6, "goroutines() with this test and its 5 children alive")
  for _, p in ipairs(pids) do
    process.terminate(p)
  end

  local workers = 0
  for _, h in ipairs(system.hosts.list()) do
    workers = workers + h.workers
  end
  t.eq(system.runtime.max_procs(), workers, "max_procs() = every host's workers")
  t.eq(workers, 3, "app:processes (2) + app:other (1)")
  local v, err = system.runtime.max_procs(8)
  t.eq(v, nil, "max_procs(8)")
  t.err(err, errors.INVALID, { "fixed" }, "max_procs(8)")
  t.eq(system.runtime.max_procs(), workers, "max_procs() after a refused set")
  local cpus = system.runtime.cpu_count()
  t.ok(cpus >= 1 and cpus == math.floor(cpus), "cpu_count() " .. tostring(cpus))
  return true
end

return { main = main }
