-- WIPPY-API.md §10.1 registry.find on meta: `meta.K` equality (numbers as numbers; an
-- array value must be fully contained in the entry's array), `~meta.K` regular
-- expression, `*meta.K` substring, `^meta.K` prefix, `$meta.K` suffix; every test must
-- hold; an entry without the key never matches.
local t = require("t")
local registry = require("registry")

local function ids(filter)
  local out = {}
  for _, e in ipairs(registry.find(filter)) do
    table.insert(out, e.id)
  end
  return out
end

local A, B, C = "app.registry:fixture_a", "app.registry:fixture_b", "app.registry:fixture_c"

local function main()
  t.eq(ids({ ["meta.type"] = "fixture" }), { A, B, C }, "meta.type")
  t.eq(ids({ ["meta.type"] = "fixture", ["meta.group"] = "alpha" }), { B, C }, "two meta keys")
  t.eq(ids({ ["meta.order"] = 1 }), { A }, "a number")
  t.eq(ids({ ["meta.order"] = 1.0 }), { A }, "1.0 equals 1")
  t.eq(ids({ ["meta.order"] = "1" }), {}, "a string is not a number")
  t.eq(ids({ ["meta.type"] = "nothing" }), {}, "no match")

  -- Arrays: every item of the filter's array is in the entry's array.
  t.eq(ids({ ["meta.tags"] = { "x" } }), { A, B }, "array {x}")
  t.eq(ids({ ["meta.tags"] = { "z", "x" } }), { B }, "array {z, x}, any order")
  t.eq(ids({ ["meta.tags"] = { "x", "w" } }), {}, "array with an item no entry has")
  t.eq(ids({ ["meta.title"] = { "Gamma" } }), {}, "an array does not match a string")

  -- Regular expressions on the value as text.
  t.eq(ids({ ["~meta.title"] = "^(Alpha|Gamma)" }), { A, C }, "~meta regex")
  t.eq(ids({ ["~meta.title"] = "one$" }), {}, "regexes are case-sensitive")
  t.eq(ids({ ["~meta.title"] = "(?i)one$" }), { A }, "an inline flag")
  t.eq(ids({ ["~meta.order"] = "^[12]$" }), { A, B }, "a number matched as text")
  t.eq(ids({ ["~meta.tags"] = "x" }), {}, "a table never matches a regex")

  -- Substring, prefix, suffix.
  t.eq(ids({ ["*meta.title"] = "ta T" }), { B }, "*meta substring")
  t.eq(ids({ ["^meta.title"] = "Gam" }), { C }, "^meta prefix")
  t.eq(ids({ ["$meta.title"] = "One" }), { A }, "$meta suffix")
  t.eq(ids({ ["^meta.title"] = "" }), { A, B, C }, "an empty prefix matches every entry that has the key")
  t.eq(ids({ ["$meta.missing"] = "" }), {}, "an entry without the key never matches")

  -- Operators combine with the field keys.
  t.eq(ids({ [".name"] = "fixture_*", ["*meta.title"] = "a", ["meta.group"] = "alpha" }), { B, C }, "combined")
  return true
end

return { main = main }
