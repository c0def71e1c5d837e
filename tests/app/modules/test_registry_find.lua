-- §5 registry.find: entries matching every criterion, sorted by ID; unknown criteria
-- raise.
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
  local fixtures = registry.find({ kind = "registry.entry", ["meta.type"] = "fixture" })
  t.eq(ids(fixtures), { "app.modules:fixture_a", "app.modules:fixture_b", "app.modules:fixture_c" }, "fixtures")
  t.eq(fixtures[2].data.retries, 3, "data of a found entry")
  t.eq(ids(registry.find({ ["meta.type"] = "fixture", ["meta.group"] = "alpha" })),
    { "app.modules:fixture_b", "app.modules:fixture_c" }, "fixtures of group alpha")
  t.eq(ids(registry.find({ ["meta.order"] = 1 })), { "app.modules:fixture_a" }, "numeric meta")
  t.eq(ids(registry.find({ kind = "process.host" })), { "app:other", "app:processes" }, "hosts")
  t.eq(ids(registry.find({ namespace = "app.modules.lib" })),
    { "app.modules.lib:pad", "app.modules.lib:strings" }, "namespace criterion")
  t.eq(ids(registry.find({ name = "fixture_c" })), { "app.modules:fixture_c" }, "name criterion")
  t.eq(registry.find({ kind = "registry.entry", ["meta.type"] = "nothing" }), {}, "no match")

  -- The tests of this application, this one included, sorted.
  local tests = ids(registry.find({ kind = "function.lua", ["meta.type"] = "test" }))
  t.ok(table.find(tests, "app.modules:registry_find") ~= nil, "this test is not among the tests")
  t.ok(#tests >= 30, "only " .. #tests .. " tests found")
  for i = 2, #tests do
    t.ok(tests[i - 1] < tests[i], "not sorted: " .. tests[i - 1] .. " before " .. tests[i])
  end

  t.raises({ "colour" }, registry.find, { colour = "red" })
  return true
end

return { main = main }
