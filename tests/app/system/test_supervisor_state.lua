-- WIPPY-API.md §10.3 system.supervisor.state(id) → {id, status, desired, retry_count,
-- last_update, started_at, details} (Unix ns) for Troupe's OTP supervisors, their
-- children (nested supervisors included) and top-level services; a restart shows in
-- retry_count and a new pid; an ID that is not a service or supervisor is NotFound.
local t = require("t")
local system = require("system")
local errors = require("errors")
local time = require("time")

local function state(id)
  local s, err = system.supervisor.state(id)
  t.eq(err, nil, "state(" .. id .. ") error")
  return s
end

-- Poll until `f(state(id))` holds (the supervisor restarts asynchronously).
local function wait_state(id, f, what)
  for _ = 1, 500 do
    local s = state(id)
    if f(s) then
      return s
    end
    time.sleep("10ms")
  end
  t.fail("timed out waiting for " .. id .. " to be " .. what)
end

local function main()
  -- Until the supervisor's initial start is complete its children may still be starting.
  local running = function(s)
    return s.status == "running"
  end
  for _, id in ipairs({ "app.system:sup", "app.system:inner", "app.system:inner_svc", "app.system:child_svc" }) do
    wait_state(id, running, "running")
  end
  local now = time.now():unix_nano()

  local sup = state("app.system:sup")
  t.eq(sup.id, "app.system:sup", "id")
  t.eq({ sup.status, sup.desired }, { "running", "running" }, "a running top-level supervisor")
  t.eq(sup.details.kind, "process.supervisor", "details.kind")
  t.eq(sup.details.children, { "app.system:child_svc", "app.system:inner" }, "details.children")
  t.eq(sup.details.strategy, "one_for_one", "details.strategy")
  t.eq(sup.details.supervisor, nil, "a top-level supervisor has no supervisor")
  t.ok(sup.details.pid:match(t.pid_pattern("app:processes")), "details.pid")
  t.ok(sup.started_at > 1.6e18 and sup.started_at <= now, "started_at in Unix ns: " .. sup.started_at)
  t.ok(sup.last_update >= sup.started_at, "last_update after started_at")

  local inner = state("app.system:inner")
  t.eq({ inner.status, inner.details.kind, inner.details.supervisor },
    { "running", "process.supervisor", "app.system:sup" }, "a nested supervisor")
  local inner_svc = state("app.system:inner_svc")
  t.eq({ inner_svc.status, inner_svc.details.supervisor }, { "running", "app.system:inner" }, "a nested child")

  local child = state("app.system:child_svc")
  t.eq({ child.status, child.desired, child.details.kind, child.details.supervisor },
    { "running", "running", "process.service", "app.system:sup" }, "a supervised child")
  local pid = t.wait_name("system.child")
  t.eq(child.details.pid, pid, "the child's pid")

  -- A top-level service (tests/app/security) and a service never started.
  local svc = state("app.security:reporter_svc")
  t.eq({ svc.status, svc.details.kind, svc.details.supervisor }, { "running", "process.service", nil }, "a top-level service")
  local idle = state("app.system:idle_svc")
  t.eq({ idle.status, idle.desired, idle.started_at, idle.retry_count }, { "stopped", "stopped", 0, 0 },
    "a service never started")
  t.eq(idle.details.pid, nil, "pid of a service never started")

  -- A restart: the child fails, its supervisor starts it again.
  local before = child.retry_count
  process.terminate(pid)
  local again = wait_state("app.system:child_svc", function(s)
    return s.status == "running" and s.details.pid ~= pid
  end, "running again")
  t.eq(again.retry_count, before + 1, "retry_count after a restart")
  t.ok(again.started_at > child.started_at, "started_at of the replacement")
  t.contains(again.details.error or "", "", "details.error is text or absent")

  local none, err = system.supervisor.state("app.system:worker")
  t.eq(none, nil, "state of a process.lua")
  t.err(err, errors.NOT_FOUND, { "app.system:worker" }, "state of a process.lua")
  t.err(select(2, system.supervisor.state("app.system:nope")), errors.NOT_FOUND, { "app.system:nope" }, "an unknown ID")
  return true
end

return { main = main }
