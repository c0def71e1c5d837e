-- Fails the way `mode` says.
local errors = require("errors")

return { main = function(mode, msg)
  if mode == "raise" then
    error(msg, 0)
  elseif mode == "not_found" then
    return nil, errors.new({kind = errors.NOT_FOUND, message = msg})
  elseif mode == "string" then
    return nil, msg
  elseif mode == "raise_object" then
    error(errors.new({kind = errors.CONFLICT, message = msg}))
  end
  return "did not fail"
end }
