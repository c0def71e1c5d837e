-- Runs under the `registry_reader` scope (registry.get on app.registry:fixture_* only):
-- reports what registry.get and registry.find let it see.
local registry = require("registry")

local function main()
  local out = {}
  local e, err = registry.get("app.registry:fixture_a")
  out.allowed = { id = e and e.id, err = err and err:message() }
  local e2, err2 = registry.get("app.registry:bare")
  out.denied = { value = e2, kind = err2 and err2:kind(), message = err2 and err2:message() }
  local _, err3 = registry.get("app.registry:nope")
  out.missing_kind = err3 and err3:kind()
  out.found = {}
  for _, x in ipairs(registry.find({ [".ns"] = "app.registry" })) do
    table.insert(out.found, x.id)
  end
  out.snapshot = #registry.snapshot():entries()
  return out
end

return { main = main }
