-- The actor and scope (sorted policy IDs) the function runs with.
local security = require("security")

return { main = function()
  local scope = security.scope()
  local policies = scope and scope:policies() or nil
  if policies then
    table.sort(policies)
  end
  return { actor = security.actor(), policies = policies }
end }
