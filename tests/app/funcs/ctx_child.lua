-- Reports the context it sees, and what its children and the functions it calls see,
-- with and without overlays of its own.
local ctx = require("ctx")
local funcs = require("funcs")

return { main = function()
  local r = { own = ctx.all() }
  r.get_a = ctx.get("a")
  local missing, err = ctx.get("missing")
  r.missing = { value = missing, kind = err and err:kind() }
  r.grand = process.exec("app.funcs:ctx_grand")
  r.fn = funcs.call("app.funcs:ctx_all")
  r.overlay = process.with_context({ b = "y", c = 3 }):exec("app.funcs:ctx_grand")
  r.fn_overlay = funcs.new():with_context({ b = "z" }):call("app.funcs:ctx_all")
  r.own_after = ctx.all()
  return r
end }
