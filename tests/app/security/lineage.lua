-- Started under an actor and scope: reports what its children and grandchildren (plain
-- spawns, a spawner without with_actor, a function call) run with, and what they may do.
local funcs = require("funcs")
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local t = require("t")
local plain, ids = t.actor_plain, t.scope_ids

local function main(depth)
  local r = { actor = plain(security.actor()), policies = ids(security.scope()) }
  local _, ferr = process.spawn("app.security:forbidden", nil, "nobody")
  r.forbidden = ferr and ferr:kind() or "spawned"
  if depth > 0 then
    r.child = process.exec("app.security:lineage", nil, depth - 1)
    r.spawner_child = process.with_context({ via = "spawner" }):exec("app.security:whoami")
    r.fn = funcs.call("app.security:fn_ok")
  end
  return r
end

return { main = main }
