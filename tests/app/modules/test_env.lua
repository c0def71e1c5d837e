-- §5 env: only variables troupe.yaml lists under `env` are readable; others are
-- PERMISSION_DENIED; listed but unset ones are NOT_FOUND.
local t = require("t")
local env = require("env")

local function main()
  local path, err = env.get("PATH")
  t.eq(err, nil, "error reading PATH")
  t.ok(type(path) == "string" and #path > 0, "PATH is " .. t.show(path))
  t.contains(path, "/", "PATH")

  local home, herr = env.get("HOME")
  t.eq(home, nil, "HOME (not listed)")
  t.err(herr, "PermissionDenied", { "HOME" }, "reading HOME")
  local pathx, perr = env.get("PATHX")
  t.eq(pathx, nil, "PATHX (an exact name does not act as a prefix)")
  t.err(perr, "PermissionDenied", { "PATHX" }, "reading PATHX")

  local unset, uerr = env.get("TROUPE_TEST_SURELY_UNSET_VARIABLE")
  t.eq(unset, nil, "an allowed but unset variable")
  t.err(uerr, "NotFound", { "TROUPE_TEST_SURELY_UNSET_VARIABLE" }, "reading an unset variable")
  return true
end

return { main = main }
