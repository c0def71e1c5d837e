-- Starts slow_notify with funcs.async. In mode "exit" it returns at once, which must
-- cancel the call; in mode "wait" it waits for the result.
local funcs = require("funcs")

return { main = function(dest, mode, ms)
  local f, err = funcs.async("app.funcs:slow_notify", dest, ms, mode)
  if not f then
    return nil, err
  end
  if mode == "wait" then
    return f:result()
  end
  return "exited without waiting"
end }
