-- WIPPY-API.md §12: every *.yaml / *.yml with a top-level namespace is a definition file
-- (single.yml in the one-entry form, data/sub.yaml in a subdirectory); `file://` resolves
-- against the naming file's directory (data/sub.txt).
local t = require("t")
local registry = require("registry")

local function main()
  local solo = registry.get("app.leniency.single:solo")
  t.eq({ solo.kind, solo.id }, { "registry.entry", "app.leniency.single:solo" }, "single.yml")
  t.eq(solo.data, { value = 42 }, "data of the one-entry file")
  t.eq(solo.meta, { leniency = "single" }, "meta of the one-entry file")
  local item = registry.get("app.leniency.sub:item")
  t.eq(item.data.text, "text next to data/sub.yaml\n", "file://sub.txt from data/sub.yaml")
  return true
end

return { main = main }
