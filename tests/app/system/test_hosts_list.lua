-- WIPPY-API.md §10.3 system.hosts.list() → {id, workers, processes, executed, stolen,
-- queue_depth} per process.host, in ID order (stolen is 0: Troupe's workers never steal).
local t = require("t")
local system = require("system")

local function main()
  local list, err = system.hosts.list()
  t.eq(err, nil, "list() error")
  t.eq(#list, 2, "two hosts")
  t.eq({ list[1].id, list[2].id }, { "app:other", "app:processes" }, "host IDs in order")
  local h = list[2]
  t.eq(h.workers, 2, "workers of app:processes")
  t.ok(h.processes >= 1, "processes on app:processes (this test runs there)")
  t.ok(h.executed >= 1, "executed counts the starts on the host")
  t.eq(h.stolen, 0, "stolen")
  t.ok(h.queue_depth >= 0, "queue_depth")
  t.eq(list[1].workers, 1, "workers of app:other")
  local before = list[1].executed
  local up = process.listen("up")
  local pid = process.spawn("app.system:pinger", "app:other", process.pid())
  t.recv(up, "the child on app:other")
  local after = system.hosts.list()[1]
  t.ok(after.executed >= before + 1, "executed after a spawn on app:other")
  t.ok(after.processes >= 1, "processes on app:other")
  process.terminate(pid)
  return true
end

return { main = main }
