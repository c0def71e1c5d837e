-- actor() and scope(): nil without a context; the Actor / Scope objects a process runs
-- with otherwise (:id(), :meta(), tostring).
local t = require("t")
local security = require("security")
local funcs = require("funcs")

local function main()
  t.eq(security.actor(), nil, "a test's actor")
  t.eq(security.scope(), nil, "a test's scope")

  local a = security.new_actor("ok-alice", { role = "reader", n = 2 })
  t.eq(type(a), "userdata", "an actor is userdata")
  t.eq(a:id(), "ok-alice", "actor:id()")
  t.eq(a:meta(), { role = "reader", n = 2 }, "actor:meta()")
  t.eq(tostring(a), "ok-alice", "tostring(actor)")
  -- meta() is a copy: changing it does not change the actor.
  a:meta().role = "changed"
  t.eq(a:meta().role, "reader", "meta() is a copy")

  local r = funcs.new():with_actor(a):with_scope(security.named_scope("narrow"))
    :call("app.security_api:probe", "whoami")
  t.eq(r, { ok = { id = "ok-alice", meta = { role = "reader", n = 2 } } }, "actor() inside the call")
  return true
end

return { main = main }
