-- env.set(name, value) → true, nil; then env.get reads it. readonly → PermissionDenied;
-- static storage → PermissionDenied; undeclared → NotFound; bad values → Invalid.
local t = require("t")
local env = require("env")
local errors = require("errors")

local function main()
  local ok, err = env.set("MEM_PLAIN", "one")
  t.eq({ ok, err }, { true, nil }, "set")
  t.eq(env.get("MEM_PLAIN"), "one", "read back")
  t.eq(env.set("MEM_PLAIN", 12), true, "a number value")
  t.eq(env.get("MEM_PLAIN"), "12", "a number is stored as text")
  t.eq(env.set("app.env:mem_set_default", "over"), true, "set by entry ID")
  t.eq(env.get("MEM_SET_DEFAULT"), "over", "the value replaces the default")
  t.eq(env.set("MEM_SET_DEFAULT", ""), true, "set empty")
  t.eq(env.get("MEM_SET_DEFAULT"), "d-value", "empty again gives the default")
  -- OS storage: written to the node's overlay (troupe.yaml allows TROUPE_TEST_*).
  t.eq(env.set("TROUPE_TEST_ENV_WRITABLE", "now-set"), true, "set an OS variable")
  t.eq(env.get("TROUPE_TEST_ENV_WRITABLE"), "now-set", "read back an OS variable")

  local r
  r, err = env.set("MEM_READONLY", "x")
  t.eq(r, nil, "readonly")
  t.err(err, errors.PERMISSION_DENIED, { "MEM_READONLY", "read-only" }, "readonly")
  r, err = env.set("STATIC_A", "x")
  t.err(err, errors.PERMISSION_DENIED, { "static" }, "static storage")
  t.eq(env.get("STATIC_A"), "alpha", "static unchanged")
  r, err = env.set("UNDECLARED_THING", "x")
  t.err(err, errors.NOT_FOUND, { "UNDECLARED_THING" }, "undeclared")
  r, err = env.set("", "x")
  t.err(err, errors.INVALID, {}, "empty name")
  r, err = env.set("MEM_PLAIN", { 1 })
  t.err(err, errors.INVALID, { "string or a number" }, "a table value")
  r, err = env.set("MEM_PLAIN", nil)
  t.err(err, errors.INVALID, {}, "nil value")
  r, err = env.set("MEM_PLAIN", "line\nINJECTED=1")
  t.err(err, errors.INVALID, { "newline" }, "a value with a newline")
  r, err = env.set("MEM_PLAIN", string.rep("v", 70000))
  t.err(err, errors.INVALID, { "too long" }, "a huge value")
  t.eq(env.get("MEM_PLAIN"), "12", "failed sets change nothing")
  r, err = env.set("NOT_LISTED_IN_TROUPE_YAML", "x")
  t.err(err, errors.PERMISSION_DENIED, { "troupe.yaml" }, "OS name outside the env: list")
  return true
end

return { main = main }
