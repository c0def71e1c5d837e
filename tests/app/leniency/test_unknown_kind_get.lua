-- WIPPY-API.md §12: an entry of a kind Troupe does not implement is stored; registry.get
-- returns it with its kind as written and its fields in `data`, every `file://` value
-- inlined (relative to the YAML file), nested ones too.
local t = require("t")
local registry = require("registry")

local function main()
  local e, err = registry.get("app.leniency:endpoint")
  t.eq(err, nil, "error of registry.get")
  t.eq(e.id, "app.leniency:endpoint", "id")
  t.eq(e.kind, "http.endpoint", "kind as written")
  t.eq(e.data.method, "GET", "data.method")
  t.eq(e.data.path, "/users/{id}", "data.path")
  t.eq(e.data.schema, '{"type": "object", "required": ["id"]}\n', "data.schema from file://schema.json")
  t.eq(e.data.nested, {
    doc = "the endpoint documentation\n",
    list = { "the endpoint documentation\n", "plain" },
  }, "nested file:// values")
  t.eq(e.meta, { owner = "leniency", layer = "api", leniency = "unimplemented" },
    "meta: the file's, with the entry's own keys over it")

  local db = registry.get("app.leniency:db")
  t.eq({ db.kind, db.data.dsn }, { "sql.database", "postgres://example.invalid/app" }, "sql.database entry")
  return true
end

return { main = main }
