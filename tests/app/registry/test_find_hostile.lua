-- WIPPY-API.md §10.1 registry.find with hostile filters: an oversized or invalid regular
-- expression, an over-long text, an array of too many items and a value of the wrong type
-- answer nil, Invalid naming the key; a pathological pattern runs in linear time; a filter
-- that is not a table raises.
local t = require("t")
local registry = require("registry")
local errors = require("errors")

local function invalid(filter, parts, what)
  local r, err = registry.find(filter)
  t.eq(r, nil, what .. ": value")
  t.err(err, errors.INVALID, parts, what)
end

local function main()
  invalid({ ["~meta.title"] = "(a{1000}){1000}" }, { "~meta.title", "too large" }, "a regex whose compiled form is huge")
  invalid({ ["~meta.title"] = string.rep("(", 10) }, { "~meta.title", "invalid regular expression" }, "an unbalanced regex")
  invalid({ ["~meta.title"] = string.rep("a", 70000) }, { "~meta.title", "70000 bytes" }, "a regex over 64 KiB")
  invalid({ ["*meta.title"] = string.rep("a", 70000) }, { "*meta.title", "at most 65536 bytes" }, "a substring over 64 KiB")
  invalid({ [".id"] = string.rep("*a", 40000) }, { ".id" }, "a glob over 64 KiB")
  local many = {}
  for i = 1, 1025 do
    many[i] = i
  end
  invalid({ ["meta.tags"] = many }, { "meta.tags", "at most 1024 items" }, "an array of 1025 items")
  invalid({ [".kind"] = {} }, { ".kind", "must be a string" }, "a table where a string is expected")
  invalid({ ["~meta.title"] = true }, { "~meta.title", "must be a string" }, "a boolean where a pattern is expected")

  -- Catastrophic backtracking in other engines; linear here (a long value, nested stars).
  t.eq(#registry.find({ ["~meta.long"] = "^(a+)+b$" }), 0, "a pathological regex")
  t.eq(#registry.find({ [".id"] = string.rep("*a", 200) .. "*b" }), 0, "a pathological glob")
  t.eq(#registry.find({ ["~meta.long"] = "^(a+)+$" }), 1, "a pathological regex that matches")

  t.raises({ "table expected" }, registry.find, "kind")
  t.raises({ "table expected" }, registry.find, 42)
  return true
end

return { main = main }
