-- The actor and scope (sorted policy IDs) the function runs with.
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local t = require("t")
local plain, ids = t.actor_plain, t.scope_ids

return { main = function()
  return { actor = plain(security.actor()), policies = ids(security.scope()) }
end }
