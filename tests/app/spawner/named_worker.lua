-- Tells `parent` it started (with what its name resolves to), answers "ping" with
-- "pong" {payload, from} and ends on "quit".
return { main = function(parent, name)
  process.send(parent, "started", { pid = process.pid(), lookup = process.registry.lookup(name) })
  local inbox = process.inbox()
  while true do
    local m = inbox:receive()
    if m:topic() == "quit" then
      return "quit"
    end
    process.send(parent, "pong", { payload = m:payload():data(), from = m:from() })
  end
end }
