-- WIPPY-API.md §7.2 logger:debug|info|warn|error(msg [, fields]): colon calls on the
-- module userdata; msg a string or a number; fields a table (string keys); in :error,
-- fields.error may be an error object. Each call returns nothing.
local t = require("t")

local function main()
  t.eq(type(logger), "userdata", "the logger module is a userdata")
  t.eq(require("logger"), logger, "require(\"logger\") is the bound global")
  -- (error records show in the test run's output: the node logs at error level, so
  -- :error is called only a few times.)
  t.eq(select("#", logger:error("an error record")), 0, "error returns nothing")
  for _, level in ipairs({ "debug", "info", "warn" }) do
    t.eq(select("#", logger[level](logger, "a " .. level .. " record")), 0, level .. " returns nothing")
    logger[level](logger, "with fields", { user = "bob", n = 3, nested = { a = { 1, 2 } } })
    logger[level](logger, 42)
    logger[level](logger, 2.5, { f = true })
  end
  logger:error("failed", { error = errors.new({ message = "disk full", kind = errors.UNAVAILABLE }), path = "/x" })
  logger:error("failed", { error = "as text" })
  logger:info("empty fields", {})
  logger:info("nil fields", nil)
  return true
end

return { main = main }
