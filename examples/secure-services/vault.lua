-- Holds one secret. The kernel lets anyone with process.send ask; the vault decides by
-- the actor the request carries (SPEC §7.3: every message carries its sender's actor).
local logger = require("logger")

local SECRETS = { root_password = "correct horse battery staple" }

local function main()
  process.registry.register("vault")
  local inbox = process.inbox()
  local events = process.events()
  while true do
    local r = channel.select({ inbox:case_receive(), events:case_receive() })
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "stopped" end
    else
      local msg = r.value
      local req = msg:payload():data()
      local actor = msg:actor()
      local who = actor and actor:id() or "anonymous"
      if actor and actor:meta().role == "admin" then
        process.send(req.reply_to, "secret", { value = SECRETS[req.key] })
      else
        logger:warn("secret refused", { actor = who, key = req.key })
        process.send(req.reply_to, "secret", { error = "the vault refuses " .. who })
      end
    end
  end
end

return { main = main }
