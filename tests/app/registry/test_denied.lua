-- WIPPY-API.md §10.1 under a scope: registry.get without `registry.get` on the ID answers
-- nil, PermissionDenied; find (and snapshot:entries) skip the entries the caller may not
-- get.
local t = require("t")
local funcs = require("funcs")
local security = require("security")
local errors = require("errors")

local function main()
  local actor = security.new_actor("registry-reader")
  local scope = security.named_scope("registry_reader")
  local r, err = funcs.new():with_actor(actor):with_scope(scope):call("app.registry:reader")
  t.eq(err, nil, "reader error")
  t.eq(r.allowed, { id = "app.registry:fixture_a" }, "an allowed get")
  t.eq(r.denied.value, nil, "a denied get's value")
  t.eq(r.denied.kind, errors.PERMISSION_DENIED, "a denied get's kind")
  t.contains(r.denied.message, "registry.get", "a denied get names the action")
  t.contains(r.denied.message, "app.registry:bare", "a denied get names the entry")
  t.eq(r.missing_kind, errors.PERMISSION_DENIED, "a missing entry the caller may not get is denied first")
  t.eq(r.found, { "app.registry:fixture_a", "app.registry:fixture_b", "app.registry:fixture_c" },
    "find skips what the caller may not get")
  t.eq(r.snapshot, 3, "snapshot:entries() skips them too")
  return true
end

return { main = main }
