-- WIPPY-API.md §10.2/§10.3 for a top-level service: `supervisor` `service.stop` (status
-- failed) when its process is terminated, `service.start` when the top level restarts it
-- after its backoff; system.supervisor.state shows the new pid and the attempt.
local t = require("t")
local events = require("events")
local system = require("system")
local time = require("time")

local function next_of(ch, kind)
  while true do
    local e = t.recv(ch, "a " .. kind .. " event", 10000)
    if e.path == "app.events:top_svc" and e.kind == kind then
      return e
    end
  end
end

local function main()
  local sub = events.subscribe("supervisor")
  local old = t.wait_name("events.top")
  local before
  for _ = 1, 1000 do
    before = system.supervisor.state("app.events:top_svc")
    if before.status == "running" then
      break
    end
    time.sleep("10ms")
  end
  t.eq({ before.status, before.details.pid, before.details.supervisor }, { "running", old, nil }, "state before")
  process.terminate(old)
  local stop = next_of(sub:channel(), "service.stop")
  t.eq({ stop.data.pid, stop.data.status }, { old, "failed" }, "service.stop")
  local start = next_of(sub:channel(), "service.start")
  t.ok(start.data.pid ~= old, "the restarted service has a new PID")
  local after = system.supervisor.state("app.events:top_svc")
  t.eq({ after.status, after.details.pid }, { "running", start.data.pid }, "state after the restart")
  t.ok(after.retry_count >= 1, "retry_count after a restart: " .. after.retry_count)
  t.contains(after.details.error, "terminated", "the last error")
  return true
end

return { main = main }
