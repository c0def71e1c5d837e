local ctx = require("ctx")

return { main = function(key)
  return ctx.get(key)
end }
