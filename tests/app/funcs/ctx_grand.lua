-- What a grandchild sees, and what a function it calls sees.
local ctx = require("ctx")
local funcs = require("funcs")

return { main = function()
  return { all = ctx.all(), fn = funcs.call("app.funcs:ctx_all") }
end }
