-- Starts app.funcs:proc_wait_cancel with funcs.async, waits until it runs, then returns
-- (its caller context goes away).
return { main = function(parent)
  local started = process.listen("proc_started")
  local f, err = funcs.async("app.funcs:proc_wait_cancel", parent, process.pid())
  if not f then
    return nil, err
  end
  started:receive()
  return "left"
end }
