-- The actor and scope (sorted policy IDs) the function runs with.
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local function plain(a)
  return a and { id = a:id(), meta = a:meta() }
end
local function ids(scope)
  if scope == nil then
    return nil
  end
  local out = {}
  for _, p in ipairs(scope:policies()) do
    table.insert(out, p:id())
  end
  table.sort(out)
  return out
end

return { main = function()
  return { actor = plain(security.actor()), policies = ids(security.scope()) }
end }
