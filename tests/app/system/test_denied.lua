-- WIPPY-API.md §10.3 denials are kind Invalid: supervisor.*, memory.* and hosts.* need
-- `system.read` on supervisor/memory/hosts, exit needs `system.exit` (and a denied exit
-- does not stop the node: this suite goes on).
local t = require("t")
local funcs = require("funcs")
local security = require("security")
local errors = require("errors")

local function main()
  local r, err = funcs.new():with_actor(security.new_actor("system-probe"))
    :with_scope(security.named_scope("system_none")):call("app.system:denied_probe")
  t.eq(err, nil, "probe error")
  for name, resource in pairs({ state = "supervisor", states = "supervisor", stats = "memory", allocated = "memory",
    get_limit = "memory", set_limit = "memory", list = "hosts", processes = "hosts" }) do
    local d = r[name]
    t.eq(d.value, nil, name .. " value")
    t.eq(d.kind, errors.INVALID, name .. " kind")
    t.contains(d.message, "system.read", name .. " names the action")
    t.contains(d.message, resource, name .. " names the resource")
  end
  t.eq(r.exit.value, nil, "exit value")
  t.eq(r.exit.kind, errors.INVALID, "exit kind")
  t.contains(r.exit.message, "system.exit", "exit names the action")
  t.ok(r.cpu_count >= 1 and r.pid > 0, "unguarded calls work")
  return true
end

return { main = main }
