-- §5 env (WIPPY-API.md §7.5): names resolve through env.variable entries (tests/app/env
-- declares PATH and TROUPE_TEST_SURELY_UNSET_VARIABLE); an undeclared name is NOT_FOUND
-- even when the OS has it; a declared but unset one is NOT_FOUND too.
local t = require("t")
local env = require("env")

local function main()
  local path, err = env.get("PATH")
  t.eq(err, nil, "error reading PATH")
  t.ok(type(path) == "string" and #path > 0, "PATH is " .. t.show(path))
  t.contains(path, "/", "PATH")

  local home, herr = env.get("HOME")
  t.eq(home, nil, "HOME (not declared)")
  t.err(herr, "NotFound", { "HOME" }, "reading HOME")
  local pathx, perr = env.get("PATHX")
  t.eq(pathx, nil, "PATHX (not declared)")
  t.err(perr, "NotFound", { "PATHX" }, "reading PATHX")

  local unset, uerr = env.get("TROUPE_TEST_SURELY_UNSET_VARIABLE")
  t.eq(unset, nil, "an allowed but unset variable")
  t.err(uerr, "NotFound", { "TROUPE_TEST_SURELY_UNSET_VARIABLE" }, "reading an unset variable")
  return true
end

return { main = main }
