-- WIPPY-API.md §10.1 registry.snapshot(): :entries(), :get(id), :namespace(ns),
-- :find(f), :version(), :changes() (ops recorded, :apply() refused: the registry is
-- read-only in Troupe, PermissionDenied).
local t = require("t")
local registry = require("registry")
local errors = require("errors")

local function ids(list)
  local out = {}
  for _, e in ipairs(list) do
    table.insert(out, e.id)
  end
  return out
end

local function main()
  local s = registry.snapshot()
  t.eq(type(s), "userdata", "a snapshot")
  t.eq(ids(s:entries()), ids(registry.find({})), "entries() = every entry, in registry order")
  t.eq(s:get("app.registry:fixture_a"), registry.get("app.registry:fixture_a"), "get(id)")
  local none, err = s:get("app.registry:nope")
  t.eq(none, nil, "get of a missing entry")
  t.err(err, errors.NOT_FOUND, { "entry not found: app.registry:nope" }, "snapshot get of a missing entry")
  local ns = ids(s:namespace("app.registry"))
  t.ok(table.find(ns, "app.registry:fixture_c") and table.find(ns, "app.registry:snapshot"), "namespace(ns)")
  for _, id in ipairs(ns) do
    t.eq(registry.parse_id(id).ns, "app.registry", "an entry of another namespace in namespace()")
  end
  t.eq(s:namespace("app.nothing"), {}, "an unknown namespace")
  t.eq(ids(s:find({ ["meta.group"] = "alpha" })), { "app.registry:fixture_b", "app.registry:fixture_c" }, "find(f)")
  t.eq(s:version():id(), 1, "the snapshot's version")

  -- Changes: recorded in order, never applied.
  local c = s:changes()
  t.eq(c:ops(), {}, "no ops yet")
  t.eq(c:create({ id = "app.registry:new", kind = "registry.entry" }), c, "create returns the changes")
  c:update({ id = "app.registry:fixture_a", kind = "registry.entry", meta = { order = 5 } })
  c:delete("app.registry:fixture_c")
  local ops = c:ops()
  t.eq(#ops, 3, "three ops")
  t.eq(ops[1], { kind = "entry.create", entry = { id = "app.registry:new", kind = "registry.entry" } }, "create op")
  t.eq(ops[2].kind, "entry.update", "update op")
  t.eq(ops[3], { kind = "entry.delete", entry = { id = "app.registry:fixture_c", ns = "app.registry", name = "fixture_c" } },
    "delete op")
  local v, aerr = c:apply()
  t.eq(v, nil, "apply value")
  t.err(aerr, errors.PERMISSION_DENIED, { "read-only" }, "apply")
  t.eq(registry.get("app.registry:fixture_a").meta.order, 1, "the registry changed")
  t.ok(registry.get("app.registry:fixture_c") ~= nil, "the deleted entry is gone")
  t.eq(registry.get("app.registry:new"), nil, "the created entry exists")
  t.raises({ "bad argument #2", "table" }, c.create, c, "x")
  return true
end

return { main = main }
