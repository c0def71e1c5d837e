-- Sends the test its actor (as an Actor object's id and meta), then forwards the actor
-- of the first message it receives, to show actors flow with spawns and messages.
local security = require("security")

return { main = function(test)
  local a = security.actor()
  local s = security.scope()
  local ids = {}
  for _, p in ipairs(s and s:policies() or {}) do
    table.insert(ids, p:id())
  end
  table.sort(ids)
  process.send(test, "child_actor", {
    kind = type(a),
    id = a and a:id(),
    meta = a and a:meta(),
    policies = ids,
  })
  local m = process.inbox():receive()
  local from = m:actor()
  process.send(test, "sender_actor", { kind = type(from), id = from and from:id(), meta = from and from:meta() })
end }
