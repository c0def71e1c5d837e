-- The service process: registered as "app.security.reporter"; answers "whoami" with the
-- actor and scope it runs with, the sender's actor, and what it may do. Ends on CANCEL.
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local t = require("t")
local plain, ids = t.actor_plain, t.scope_ids

local function main()
  assert(process.registry.register("app.security.reporter"))
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select({ inbox:case_receive(), events:case_receive() })
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then
        return "stopped"
      end
    elseif r.value:topic() == "whoami" then
      local msg = r.value
      local _, serr = process.spawn("app.security:forbidden", nil, msg:from())
      process.send(msg:from(), "svc_reply", {
        actor = plain(security.actor()),
        policies = ids(security.scope()),
        sender_actor = plain(msg:actor()),
        can_spawn = security.can("process.spawn", "app.security:forbidden"),
        spawn_kind = serr and serr:kind() or "spawned",
        spawn_message = serr and serr:message() or nil,
      })
    end
  end
end

return { main = main }
