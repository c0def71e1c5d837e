-- Runs under the `system_none` scope: every guarded `system` call is refused.
local system = require("system")

local function main()
  local out = {}
  local function try(name, f, ...)
    local v, err = f(...)
    out[name] = { value = v, kind = err and err:kind(), message = err and err:message() }
  end
  try("state", system.supervisor.state, "app.system:sup")
  try("states", system.supervisor.states)
  try("stats", system.memory.stats)
  try("allocated", system.memory.allocated)
  try("get_limit", system.memory.get_limit)
  try("set_limit", system.memory.set_limit, 1)
  try("list", system.hosts.list)
  try("processes", system.hosts.processes, "app:processes")
  try("exit", system.exit, 9)
  -- Not guarded.
  out.cpu_count = system.runtime.cpu_count()
  out.pid = system.process.pid()
  return out
end

return { main = main }
