local ctx = require("ctx")

return { main = function()
  return ctx.all()
end }
