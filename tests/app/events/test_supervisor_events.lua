-- WIPPY-API.md §10.2 traffic Troupe publishes: system `supervisor`, kinds `service.stop`
-- (path = the child ID, data {pid, status, error?}) when a supervised process ends and
-- `service.start` (data {pid, status = "running"}) when its replacement runs.
local t = require("t")
local events = require("events")
local system = require("system")
local time = require("time")

-- Wait until `id` runs as its supervisor sees it (terminating a child before its
-- supervisor's initial start is complete would be a failed start, which stops the tree).
local function running(id)
  for _ = 1, 1000 do
    local s = system.supervisor.state(id)
    if s.status == "running" then
      return s
    end
    time.sleep("10ms")
  end
  t.fail(id .. " never ran")
end

local function next_of(ch, kind)
  while true do
    local e = t.recv(ch, "a " .. kind .. " event", 10000)
    if e.path == "app.events:worker_svc" and e.kind == kind then
      return e
    end
  end
end

local function main()
  local sub = events.subscribe("supervisor", "service.*")
  running("app.events:sup")
  local old = running("app.events:worker_svc").details.pid
  t.eq(t.wait_name("events.worker"), old, "the worker's name")
  process.terminate(old)
  local stop = next_of(sub:channel(), "service.stop")
  t.eq(stop.system, "supervisor", "system")
  t.eq(stop.data.pid, old, "the stopped PID")
  t.eq(stop.data.status, "failed", "status of a terminated child")
  t.contains(stop.data.error, "terminated", "the error")
  local start = next_of(sub:channel(), "service.start")
  t.ok(start.data.pid ~= old, "the replacement has a new PID")
  t.eq(start.data.status, "running", "status of the replacement")
  t.ok(start.data.pid:match(t.pid_pattern("app:processes")) ~= nil, "a PID: " .. start.data.pid)
  return true
end

return { main = main }
