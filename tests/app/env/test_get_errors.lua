-- env.get failures: unset without default → NotFound; no env.variable entry → NotFound
-- even when the OS has the variable; "" or a non-string → Invalid; a storage failure
-- (a missing file without auto_create) → Internal; an OS variable troupe.yaml's `env:`
-- list does not allow → PermissionDenied.
local t = require("t")
local env = require("env")
local errors = require("errors")

local function main()
  local v, err = env.get("TROUPE_TEST_ENV_UNSET")
  t.eq(v, nil, "unset, no default")
  t.err(err, errors.NOT_FOUND, { "TROUPE_TEST_ENV_UNSET" }, "unset, no default")
  -- HOME is set for any test run, but no env.variable declares it.
  v, err = env.get("HOME")
  t.eq(v, nil, "undeclared HOME")
  t.err(err, errors.NOT_FOUND, { "HOME", "env.variable" }, "undeclared HOME")
  v, err = env.get("app.env:nope")
  t.err(err, errors.NOT_FOUND, { "app.env:nope" }, "unknown entry ID")
  v, err = env.get("app.env:os")
  t.err(err, errors.NOT_FOUND, {}, "an entry that is not an env.variable")
  v, err = env.get("")
  t.eq(v, nil, "empty name")
  t.err(err, errors.INVALID, { "empty" }, "empty name")
  v, err = env.get(42)
  t.err(err, errors.INVALID, { "string" }, "a number as name")
  v, err = env.get(nil)
  t.err(err, errors.INVALID, {}, "nil as name")
  v, err = env.get("MISSING_FILE_VAR")
  t.eq(v, nil, "missing file")
  t.err(err, errors.INTERNAL, { "there.env" }, "missing file without auto_create")
  v, err = env.get("LOOPED")
  t.eq(v, nil, "routers in a cycle")
  t.err(err, errors.INTERNAL, { "nest deeper" }, "routers in a cycle")
  v, err = env.set("LOOPED", "x")
  t.err(err, errors.INTERNAL, { "nest deeper" }, "writing through routers in a cycle")
  v, err = env.get("NOT_LISTED_IN_TROUPE_YAML")
  t.err(err, errors.PERMISSION_DENIED, { "troupe.yaml" }, "OS name outside the env: list")
  return true
end

return { main = main }
