-- funcs.new():with_options{retry = ...}: a retry that is not a table, or with bad numbers,
-- raises (Troupe bounds max_attempts at 100).
local t = require("t")

local function main()
  local ex = funcs.new()
  t.raises({ "retry" }, function()
    ex:with_options({ retry = "yes" })
  end)
  t.raises({ "max_attempts" }, function()
    ex:with_options({ retry = { max_attempts = 1000000 } })
  end)
  t.raises({ "backoff_factor" }, function()
    ex:with_options({ retry = { backoff_factor = 0 } })
  end)
  t.raises({ "initial_delay" }, function()
    ex:with_options({ retry = { initial_delay = "soon" } })
  end)
  t.eq(ex:with_options({ retry = { max_attempts = 2 } }):call("app.funcs:add", 1, 1), 2, "a valid retry option")
  return true
end

return { main = main }
