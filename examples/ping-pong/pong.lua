-- pong: answers every "ping" with a "pong" carrying the same payload, until cancelled.
local logger = require("logger")

local function main()
  assert(process.registry.register("pong"))
  logger:info("pong ready", { pid = process.pid() })
  local inbox = process.inbox()
  local events = process.events()
  local served = 0
  while true do
    local r = channel.select { inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then
        logger:info("pong stopping", { served = served })
        return served
      end
    else
      local msg = r.value
      process.send(msg:from(), "pong", msg:payload():data())
      served = served + 1
    end
  end
end

return { main = main }
