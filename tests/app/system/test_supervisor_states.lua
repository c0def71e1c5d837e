-- WIPPY-API.md §10.3 system.supervisor.states() → every service and supervisor of the node
-- (top level, OTP supervisors and their children), in ID order, each with a status of
-- unknown|starting|running|stopping|stopped|exited|failed.
local t = require("t")
local system = require("system")
local time = require("time")

local STATUS = { unknown = true, starting = true, running = true, stopping = true, stopped = true, exited = true, failed = true }

local function main()
  t.wait_name("system.inner")
  local all, err
  -- Until the supervisor's initial start is complete its children may still be starting.
  for _ = 1, 1000 do
    all, err = system.supervisor.states()
    local inner
    for _, s in ipairs(all) do
      if s.id == "app.system:inner_svc" then
        inner = s
      end
    end
    if inner.status == "running" then
      break
    end
    time.sleep("10ms")
  end
  t.eq(err, nil, "states() error")
  local ids = {}
  for i, s in ipairs(all) do
    ids[s.id] = s
    t.ok(STATUS[s.status], "status " .. tostring(s.status) .. " of " .. s.id)
    t.ok(STATUS[s.desired], "desired " .. tostring(s.desired) .. " of " .. s.id)
    t.eq(type(s.retry_count), "number", "retry_count of " .. s.id)
    t.eq(type(s.last_update), "number", "last_update of " .. s.id)
    t.eq(type(s.started_at), "number", "started_at of " .. s.id)
    t.ok(s.details.kind == "process.service" or s.details.kind == "process.supervisor", "kind of " .. s.id)
    if i > 1 then
      t.ok(all[i - 1].id < s.id, "not in ID order: " .. all[i - 1].id .. " before " .. s.id)
    end
  end
  for _, id in ipairs({ "app.system:sup", "app.system:inner", "app.system:inner_svc", "app.system:child_svc",
    "app.system:idle_svc", "app.security:reporter_svc", "app.events:sup", "app.events:worker_svc" }) do
    t.ok(ids[id] ~= nil, id .. " is not among the states")
  end
  t.eq(ids["app.system:inner_svc"].status, "running", "a nested child runs")
  t.eq(ids["app.system:worker"], nil, "a process.lua among the states")
  return true
end

return { main = main }
