-- WIPPY-API.md §10.3 system.hosts.processes(host) → {pid, host, source, state, steps,
-- started_at, parent?, actor_id?} per live process, in PID order; an unknown host is
-- NotFound.
local t = require("t")
local system = require("system")
local errors = require("errors")
local security = require("security")

local function find(list, pid)
  for _, p in ipairs(list) do
    if p.pid == pid then
      return p
    end
  end
end

local function main()
  local me = process.pid()
  local child = process.with_context({}):with_actor(security.new_actor("sleepy")):spawn("app.system:sleeper", "app:other")
  local list, err = system.hosts.processes("app:processes")
  t.eq(err, nil, "processes() error")
  local mine = find(list, me)
  t.ok(mine ~= nil, "this test is not listed")
  t.eq({ mine.host, mine.source, mine.state }, { "app:processes", "app.system:hosts_processes", "running" }, "this test")
  t.ok(mine.steps >= 1, "steps")
  t.ok(mine.started_at > 1.6e18, "started_at in Unix ns")
  t.eq(mine.parent, nil, "a test is spawned by the node")
  t.eq(mine.actor_id, nil, "a test has no actor")
  for i = 2, #list do
    t.ok(list[i - 1].pid ~= list[i].pid, "a PID twice")
  end

  local other = system.hosts.processes("app:other")
  local c = find(other, child)
  t.ok(c ~= nil, "the child is not listed on app:other")
  t.eq({ c.source, c.parent, c.actor_id }, { "app.system:sleeper", me, "sleepy" }, "the child")
  t.eq(find(other, me), nil, "this test listed on app:other")
  process.terminate(child)

  local none, nerr = system.hosts.processes("app:nope")
  t.eq(none, nil, "an unknown host")
  t.err(nerr, errors.NOT_FOUND, { "host not found: app:nope" }, "an unknown host")
  return true
end

return { main = main }
