-- WIPPY-API.md §12: entries of unimplemented kinds are found by registry.find like any
-- other (here by a meta key), with their kind and data.
local t = require("t")
local registry = require("registry")

local function main()
  local found = registry.find({ ["meta.leniency"] = "unimplemented" })
  local got = {}
  for _, e in ipairs(found) do
    table.insert(got, e.id .. " " .. e.kind)
  end
  table.sort(got)
  t.eq(got, { "app.leniency:db sql.database", "app.leniency:endpoint http.endpoint" }, "found entries")
  for _, e in ipairs(found) do
    t.ok(type(e.data) == "table", "data of " .. e.id)
  end
  return true
end

return { main = main }
