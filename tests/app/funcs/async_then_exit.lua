-- Starts slow_notify with funcs.async. In mode "exit" it returns at once, which must
-- cancel the call; in mode "wait" it waits for the result.
local funcs = require("funcs")

return { main = function(dest, mode, ms)
  local f, err = funcs.async("app.funcs:slow_notify", dest, ms, mode)
  if not f then
    return nil, err
  end
  if mode == "wait" then
    -- result() never blocks (WIPPY-API.md §8): wait for the item, then read it.
    f:response():receive()
    local p, rerr = f:result()
    if rerr then
      return nil, rerr
    end
    return p:data()
  end
  return "exited without waiting"
end }
