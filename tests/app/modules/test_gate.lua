-- §2.3/§5: requiring a built-in module not listed in `modules` raises an error naming
-- the entry and the module; listed ones load; unknown names are refused too. `logger`
-- (listed) takes a message and a fields table and returns nothing.
local t = require("t")

local function main()
  for _, m in ipairs({ "time", "funcs", "registry", "env", "ctx", "security", "uuid", "errors" }) do
    local ok, err = pcall(require, m)
    t.eq(ok, false, "require(\"" .. m .. "\") without listing it")
    t.contains(tostring(err), "app.modules:gate", "gate error for " .. m)
    t.contains(tostring(err), '"' .. m .. '"', "gate error for " .. m)
  end
  local ok, err = pcall(require, "no_such_module")
  t.eq(ok, false, "require of an unknown module")
  t.contains(tostring(err), "no_such_module", "unknown-module error")
  t.contains(tostring(err), "app.modules:gate", "unknown-module error")

  local json = require("json")
  t.eq(json.encode({ 1 }), "[1]", "a listed module works")
  t.ok(rawequal(require("process"), process), "process is always available")
  t.ok(rawequal(require("channel"), channel), "channel is always available")

  local logger = require("logger")
  for _, level in ipairs({ "debug", "info", "warn", "error" }) do
    t.eq(type(logger[level]), "function", "logger." .. level)
  end
  -- troupe.yaml sets log_level: error, so these lines stay out of the test output.
  for _, level in ipairs({ "debug", "info", "warn" }) do
    t.eq(select("#", logger[level]("app test log line", { level = level, n = 1 })), 0, "logger." .. level .. " return values")
  end
  t.eq(select("#", logger.info("no fields")), 0, "logger.info without fields")
  return true
end

return { main = main }
