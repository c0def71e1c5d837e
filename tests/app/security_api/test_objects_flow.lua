-- The objects carry the kernel's security context: an Actor and a Scope given to a spawn
-- reach the child (security.actor()/scope() there are objects again), and msg:actor()
-- of a message sent under an actor is an Actor object.
local t = require("t")
local security = require("security")

local function main()
  local actor = security.new_actor("flow", { team = "blue" })
  local scope = security.named_scope("readers"):with(security.policy("app.security_api:p_send"))
  local me = process.pid()
  local inbox = process.inbox()
  local child = process.with_context({}):with_actor(actor):with_scope(scope)
    :spawn("app.security_api:child", nil, me)
  t.ok(child, "spawned")
  local m = t.recv(inbox, "child_actor")
  t.eq(m:payload():data(), {
    kind = "userdata",
    id = "flow",
    meta = { team = "blue" },
    policies = { "app.security_api:p_no_secret", "app.security_api:p_read", "app.security_api:p_send" },
  }, "the child's actor and scope")
  -- A message from the test (no actor) and one from a process with an actor.
  process.send(child, "hello", 1)
  local back = t.recv(inbox, "sender_actor"):payload():data()
  t.eq(back, { kind = "nil" }, "a message from the test has no actor")
  local from_child = m:actor()
  t.eq(type(from_child), "userdata", "msg:actor() is an Actor")
  t.eq({ from_child:id(), from_child:meta() }, { "flow", { team = "blue" } }, "msg:actor()")
  return true
end

return { main = main }
