-- WIPPY-API.md §1: `require(name)` is a lookup of the process's globals. A module listed
-- in `modules` (here logger and json, and time through the `t` library's own list) is
-- bound as a global before the chunk runs; one that nothing lists is not found; the
-- always-global modules resolve without listing.
local t = require("t")

local function main()
  for _, m in ipairs({ "funcs", "registry", "env", "ctx", "security", "uuid" }) do
    local ok, err = pcall(require, m)
    t.eq(ok, false, "require(\"" .. m .. "\") without listing it")
    t.contains(tostring(err), "module '" .. m .. "' not found", "not-found error for " .. m)
    t.contains(tostring(err), "app.modules:gate", "the error names the entry for " .. m)
    t.eq(rawget(_G, m), nil, m .. " is not a shared global")
  end
  local ok, err = pcall(require, "no_such_module")
  t.eq(ok, false, "require of an unknown module")
  t.contains(tostring(err), "module 'no_such_module' not found", "unknown-module error")

  -- Listed modules are bare globals and `require` returns the same value.
  t.ok(json ~= nil, "json (listed) is a global")
  t.ok(rawequal(require("json"), json), "require(\"json\") is the global")
  t.eq(json.encode({ 1 }), "[1]", "a listed module works")
  t.ok(time ~= nil, "time (listed by the imported library t) is bound transitively")
  -- Always there, listed or not.
  for _, m in ipairs({ "process", "channel", "errors", "payload", "os", "string", "table", "math", "coroutine" }) do
    local ok2, v = pcall(require, m)
    t.eq(ok2, true, "require(\"" .. m .. "\") always works")
    t.ok(v ~= nil, m .. " is not nil")
  end
  t.ok(rawequal(require("errors"), errors), "require(\"errors\") is the global")
  t.eq(os.platform, "wippy", "os.platform")
  t.eq(package.path, "", "package.path")
  t.eq(package.cpath, "", "package.cpath")
  local lib, why = package.loadlib("x", "y")
  t.eq(lib, nil, "package.loadlib returns nil")
  t.eq(type(why), "string", "package.loadlib returns an error string")
  return true
end

return { main = main }
