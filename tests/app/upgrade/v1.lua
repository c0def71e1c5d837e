-- Registers a name, waits for a number, then upgrades to v2 with it.
return { main = function(parent)
  process.registry.register("app.upgrade:worker")
  local msg = process.inbox():receive()
  process.upgrade("app.upgrade:v2", parent, msg:payload():data())
  error("upgrade returned")
end }
