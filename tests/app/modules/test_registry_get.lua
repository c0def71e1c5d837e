-- §5 registry.get: {id, kind, namespace, name, meta, data} with the kind's YAML fields
-- in data (YAML nulls are nil); missing IDs answer nil, NOT_FOUND.
local t = require("t")
local registry = require("registry")

local function main()
  local e = registry.get("app.modules:fixture_b")
  t.eq(e.id, "app.modules:fixture_b", "id")
  t.eq(e.kind, "registry.entry", "kind")
  t.eq(e.namespace, "app.modules", "namespace")
  t.eq(e.name, "fixture_b", "name")
  t.eq(e.meta, { type = "fixture", group = "alpha", order = 2 }, "meta")
  t.eq(e.data, {
    url = "http://example.invalid/b",
    retries = 3,
    tags = { "x", "y" },
    nested = { enabled = true, ratio = 0.5 },
  }, "data")
  -- YAML nulls are nil (not a truthy sentinel value).
  t.eq(type(e.data.optional), "nil", "type of a null field")
  t.eq(type(e.meta.note), "nil", "type of a null meta field")

  -- Another kind: this test itself.
  local me = registry.get("app.modules:registry_get")
  t.eq(me.kind, "function.lua", "kind of this test")
  t.eq(me.meta, { type = "test", owner = "modules" }, "meta of this test")
  t.eq(me.data.modules, { "registry" }, "modules of this test")
  -- `file://` values are inlined in `data` (WIPPY-API.md §10.1, §12).
  t.contains(me.data.source, "-- §5 registry.get:", "source of this test, inlined")
  t.eq(me.data.imports, { t = "app.lib:t" }, "imports of this test")

  local host = registry.get("app:processes")
  t.eq({ host.kind, host.namespace, host.name }, { "process.host", "app", "processes" }, "host entry")
  t.eq(host.data.host, { workers = 2 }, "host data")

  local missing, err = registry.get("app.modules:nope")
  t.eq(missing, nil, "value for a missing entry")
  t.err(err, "NotFound", { "app.modules:nope" }, "missing entry")
  return true
end

return { main = main }
