-- WIPPY-API.md §10.1 versions and history, read-only: Troupe's registry is fixed at boot,
-- so there is exactly one version (1); other versions are NotFound; apply_version is
-- refused (false, PermissionDenied); build_delta between the one version and itself is {}.
local t = require("t")
local registry = require("registry")
local errors = require("errors")

local function main()
  local v = registry.current_version()
  t.eq(v:id(), 1, "current version id")
  t.eq(v:string(), "1", "version string")
  t.eq(tostring(v), "1", "tostring(version)")
  t.eq(v:previous(), nil, "no previous version")
  t.eq(v:next(), nil, "no next version")
  t.ok(v == registry.current_version(), "versions compare by ID")

  local all = registry.versions()
  t.eq(#all, 1, "one version")
  t.eq(all[1]:id(), 1, "versions()[1]")

  local h = registry.history()
  t.eq(#h:versions(), 1, "history:versions()")
  t.eq(h:get_version(1):id(), 1, "get_version(1)")
  t.eq(h:get_version(v):id(), 1, "get_version(Version)")
  local none, err = h:get_version(2)
  t.eq(none, nil, "get_version(2)")
  t.err(err, errors.NOT_FOUND, { "version 2 not found" }, "get_version(2)")
  t.eq(h:snapshot_at(1):version():id(), 1, "history:snapshot_at(1)")
  t.err(select(2, h:snapshot_at(7)), errors.NOT_FOUND, { "version 7" }, "history:snapshot_at(7)")

  t.eq(registry.snapshot_at(1):get("app.registry:fixture_a").id, "app.registry:fixture_a", "snapshot_at(1)")
  t.eq(registry.snapshot_at(v):version():id(), 1, "snapshot_at(Version)")
  local s, serr = registry.snapshot_at(0)
  t.eq(s, nil, "snapshot_at(0)")
  t.err(serr, errors.NOT_FOUND, { "version 0" }, "snapshot_at(0)")
  t.err(select(2, registry.snapshot_at("x")), errors.INVALID, { "expected a registry version" }, "snapshot_at('x')")

  local ok, aerr = registry.apply_version(v)
  t.eq(ok, false, "apply_version")
  t.err(aerr, errors.PERMISSION_DENIED, { "read-only in Troupe" }, "apply_version")

  t.eq(registry.build_delta(v, v), {}, "build_delta(v, v)")
  t.eq(registry.build_delta(1, 1), {}, "build_delta(1, 1)")
  local d, derr = registry.build_delta(1, 2)
  t.eq(d, nil, "build_delta(1, 2)")
  t.err(derr, errors.NOT_FOUND, { "version 2" }, "build_delta(1, 2)")
  t.err(select(2, registry.build_delta(3, 1)), errors.NOT_FOUND, { "version 3" }, "build_delta(3, 1)")
  return true
end

return { main = main }
