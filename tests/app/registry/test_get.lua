-- WIPPY-API.md §10.1 registry.get: {id, kind, meta, data} with every other field in data
-- (YAML nulls are nil; a file:// source inlined; no namespace/name keys); data is nil for
-- an entry without other fields; a missing ID answers nil, NotFound "entry not found: <id>".
local t = require("t")
local registry = require("registry")
local errors = require("errors")

local function keys(tbl)
  local out = {}
  for k in pairs(tbl) do
    table.insert(out, k)
  end
  table.sort(out)
  return out
end

local function main()
  local e = registry.get("app.registry:fixture_b")
  t.eq(keys(e), { "data", "id", "kind", "meta" }, "the keys of an entry (as Wippy: no namespace/name)")
  t.eq(e.id, "app.registry:fixture_b", "id")
  t.eq(e.kind, "registry.entry", "kind")
  t.eq(e.meta, { type = "fixture", group = "alpha", order = 2, tags = { "x", "y", "z" }, title = "Beta Two" }, "meta")
  t.eq(e.data, {
    url = "http://example.invalid/b",
    retries = 3,
    tags = { "x", "y" },
    nested = { enabled = true, ratio = 0.5 },
  }, "data")
  -- YAML nulls are nil (not a truthy sentinel value).
  t.eq(type(e.data.optional), "nil", "type of a null field")
  t.eq(type(e.meta.note), "nil", "type of a null meta field")

  -- No other field: meta is an empty table, data is nil.
  local bare = registry.get("app.registry:bare")
  t.eq(bare.meta, {}, "meta of an entry without meta")
  t.eq(bare.data, nil, "data of an entry without fields")

  -- Another kind: this test itself; the source of a file:// entry is its text.
  local me = registry.get("app.registry:get")
  t.eq(me.kind, "function.lua", "kind of this test")
  t.eq(me.meta, { type = "test", owner = "registry" }, "meta of this test")
  t.eq(me.data.modules, { "registry", "errors" }, "modules of this test")
  t.eq(me.data.imports, { t = "app.lib:t" }, "imports of this test")
  t.eq(me.data.method, "main", "method of this test")
  t.contains(me.data.source, "WIPPY-API.md §10.1 registry.get", "the inlined source of this test")
  t.eq(registry.get("app.registry:lib").data.source,
    "-- A library only registry.get reads (its source is inlined into the entry's data).\nreturn { answer = 42 }\n",
    "the inlined source of a library")

  local host = registry.get("app:processes")
  t.eq({ host.kind, host.id }, { "process.host", "app:processes" }, "host entry")
  t.eq(host.data.host, { workers = 2 }, "host data")

  -- Each call builds a fresh copy: changing one does not change the registry.
  e.data.retries = 99
  t.eq(registry.get("app.registry:fixture_b").data.retries, 3, "a changed copy leaked")

  local missing, err = registry.get("app.registry:nope")
  t.eq(missing, nil, "value for a missing entry")
  local msg = t.err(err, errors.NOT_FOUND, { "entry not found: app.registry:nope" }, "missing entry")
  t.eq(msg, "entry not found: app.registry:nope", "the message of a missing entry")
  t.raises({ "bad argument #1", "String" }, registry.get, nil)
  return true
end

return { main = main }
