-- Tries to register `name`, reports the outcome to `parent` (topic "registered"), then
-- forwards every inbox message it gets (by name or PID) back as "got" until "quit".
local function main(parent, name)
  local ok, err = process.registry.register(name)
  process.send(parent, "registered", {
    ok = ok,
    kind = err and err:kind() or nil,
    message = err and err:message() or nil,
    pid = process.pid(),
  })
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    if msg:topic() == "quit" then
      return "quit"
    end
    process.send(parent, "got", msg:payload():data())
  end
end

return { main = main }
