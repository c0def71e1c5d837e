-- A function calling another function.
local funcs = require("funcs")

return { main = function(a)
  local sum, err = funcs.call("app.funcs:add", a, a)
  if err then
    return nil, err
  end
  return sum * 10
end }
