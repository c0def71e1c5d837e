-- WIPPY-API.md §12: the file-level `meta` is merged into each entry of the file; the
-- entry's own keys win. Entries of another file get that file's meta, not this one's.
local t = require("t")
local registry = require("registry")

local function main()
  local me = registry.get("app.leniency:file_meta_merge")
  t.eq(me.meta, { owner = "leniency", layer = "tests", type = "test" }, "meta of this test")
  local lib = registry.get("app.leniency:uses_tpl")
  t.eq(lib.meta, { owner = "leniency", layer = "base" }, "meta of an entry without its own")
  local sub = registry.get("app.leniency.sub:item")
  t.eq(sub.meta, { leniency = "sub", owner = "sub" }, "meta of an entry of data/sub.yaml")
  return true
end

return { main = main }
