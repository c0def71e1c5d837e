-- Reports what it started with: its context, the messages already queued for it (without
-- waiting), whether it traps links, and whether `name` (if given) is bound to it.
local ctx = require("ctx")

return { main = function(name)
  local messages = {}
  local inbox = process.inbox()
  while true do
    local r = channel.select({ inbox:case_receive(), default = true })
    if r.default then
      break
    end
    table.insert(messages, { r.value:topic(), r.value:payload():data(), r.value:from() })
  end
  return {
    ctx = ctx.all(),
    messages = messages,
    trap = process.get_options().trap_links,
    named = name ~= nil and process.registry.lookup(name) == process.pid(),
  }
end }
