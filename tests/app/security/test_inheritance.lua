-- §7.3: children, grandchildren, processes from a spawner without with_actor, and the
-- functions they call all inherit the actor and scope.
local t = require("t")
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local plain, ids = t.actor_plain, t.scope_ids

local function main()
  local actor = security.new_actor("lineage-actor", { role = "tester", n = 3 })
  local scope = security.named_scope("limited")
  local expected_policies = ids(scope)
  local r, err = process.with_context({}):with_actor(actor):with_scope(scope):exec("app.security:lineage", nil, 2)
  t.eq(err, nil, "lineage error")
  local want_actor = { id = "lineage-actor", meta = { role = "tester", n = 3 } }
  local level, depth = r, 0
  while level do
    local what = "generation " .. depth
    t.eq(level.actor, want_actor, what .. " actor")
    t.eq(level.policies, expected_policies, what .. " policies")
    t.eq(level.forbidden, "PermissionDenied", what .. " spawning the forbidden entry")
    if level.child then
      t.eq(level.spawner_child.actor, want_actor, what .. " spawner child actor")
      t.eq(level.spawner_child.can_spawn_forbidden, false, what .. " spawner child decision")
      t.eq(level.fn, { actor = want_actor, policies = expected_policies }, what .. " called function")
    end
    level, depth = level.child, depth + 1
  end
  t.eq(depth, 3, "generations reported")
  return true
end

return { main = main }
