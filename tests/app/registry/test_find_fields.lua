-- WIPPY-API.md §10.1 registry.find on the entry's own fields: `.kind`, `.ns`, `.name`,
-- `.id` (exact or `*` glob), in registry order (by ID in Troupe); every other key is
-- ignored (as Wippy: `kind`, `type`, a nested `meta` table filter nothing).
local t = require("t")
local registry = require("registry")

local function ids(list)
  local out = {}
  for _, e in ipairs(list) do
    table.insert(out, e.id)
  end
  return out
end

local function main()
  local all = ids(registry.find({}))
  t.ok(#all > 40, "only " .. #all .. " entries found")
  for i = 2, #all do
    t.ok(all[i - 1] < all[i], "not in registry (ID) order: " .. all[i - 1] .. " before " .. all[i])
  end
  t.eq(ids(registry.find()), all, "find() without a filter")

  -- .kind, exact and glob.
  t.eq(ids(registry.find({ [".kind"] = "process.host" })), { "app:other", "app:processes" }, ".kind")
  local kinds = {}
  for _, e in ipairs(registry.find({ [".kind"] = "process.*" })) do
    kinds[e.kind] = true
  end
  t.ok(kinds["process.host"] and kinds["process.lua"], ".kind glob process.*")
  t.eq(kinds["function.lua"], nil, ".kind glob matched function.lua")
  t.eq(registry.find({ [".kind"] = "process" }), {}, ".kind is exact without *")

  -- .ns, .name, .id.
  t.eq(ids(registry.find({ [".ns"] = "app.registry", [".kind"] = "registry.entry" })),
    { "app.registry:bare", "app.registry:fixture_a", "app.registry:fixture_b", "app.registry:fixture_c",
      "app.registry:not_a_fixture" }, ".ns and .kind")
  t.eq(ids(registry.find({ [".ns"] = "app.registr" })), {}, ".ns is exact")
  t.eq(ids(registry.find({ [".ns"] = "app.reg*", [".name"] = "fixture_c" })), { "app.registry:fixture_c" }, ".ns glob and .name")
  t.eq(ids(registry.find({ [".name"] = "fixture_*" })),
    { "app.registry:fixture_a", "app.registry:fixture_b", "app.registry:fixture_c" }, ".name glob")
  t.eq(ids(registry.find({ [".id"] = "app.registry:fixture_a" })), { "app.registry:fixture_a" }, ".id exact")
  t.eq(ids(registry.find({ [".id"] = "*:fixture_?" })), {}, "? is a literal, not a wildcard")
  t.eq(ids(registry.find({ [".id"] = "app.registry:*_b" })), { "app.registry:fixture_b" }, ".id glob")
  t.eq(ids(registry.find({ [".id"] = "app.registry.fixture_a" })), {}, "a dot in a glob is literal")

  -- Keys Wippy ignores.
  t.eq(ids(registry.find({ kind = "process.host" })), all, "{kind = ...} is ignored")
  t.eq(ids(registry.find({ type = "test" })), all, "{type = ...} is ignored")
  t.eq(ids(registry.find({ meta = { type = "fixture" } })), all, "a nested meta table is ignored")
  t.eq(ids(registry.find({ namespace = "app", name = "x", [1] = "y", ["meta."] = 1, ["~kind"] = "x" })), all,
    "other keys are ignored")

  -- The tests of this application, this one included.
  local tests = ids(registry.find({ [".kind"] = "function.lua", ["meta.type"] = "test" }))
  t.ok(table.find(tests, "app.registry:find_fields") ~= nil, "this test is not among the tests")
  t.ok(#tests >= 30, "only " .. #tests .. " tests found")
  return true
end

return { main = main }
