-- WIPPY-API.md §7.2: dot calls raise (logger.info("x")); a message that is not a string
-- or a number raises; fields that are not a table raise.
local t = require("t")

local function main()
  for _, level in ipairs({ "debug", "info", "warn", "error" }) do
    t.raises({ "colon" }, logger[level], "dot call")
    t.raises({ "colon" }, function()
      logger[level]({}, "a table as self")
    end)
    for _, bad in ipairs({ {}, true, function() end }) do
      t.raises({ "message" }, function()
        logger[level](logger, bad)
      end)
    end
    t.raises({ "message" }, function()
      logger[level](logger)
    end)
    t.raises({ "fields" }, function()
      logger[level](logger, "m", "not a table")
    end)
  end
  t.raises({ "colon" }, logger.with, { a = 1 })
  t.raises({ "colon" }, logger.named, "x")
  local cyc = {}
  cyc.self = cyc
  t.raises({ "cycle" }, function()
    logger:info("cyclic fields", cyc)
  end)
  return true
end

return { main = main }
