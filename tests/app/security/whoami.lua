-- The actor and scope (sorted policy IDs) this process runs with, and a few decisions.
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local t = require("t")
local plain, ids = t.actor_plain, t.scope_ids

return { main = function()
  return {
    actor = plain(security.actor()),
    policies = ids(security.scope()),
    can_spawn_target = security.can("process.spawn", "app.security:target"),
    can_spawn_forbidden = security.can("process.spawn", "app.security:forbidden"),
    can_cond = security.can("funcs.call", "app.security:fn_cond"),
  }
end }
