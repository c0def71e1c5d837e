-- The actor and scope (sorted policy IDs) this process runs with, and a few decisions.
local security = require("security")

return { main = function()
  local scope = security.scope()
  local policies = scope and scope:policies() or nil
  if policies then
    table.sort(policies)
  end
  return {
    actor = security.actor(),
    policies = policies,
    can_spawn_target = security.can("process.spawn", "app.security:target"),
    can_spawn_forbidden = security.can("process.spawn", "app.security:forbidden"),
    can_cond = security.can("funcs.call", "app.security:fn_cond"),
  }
end }
