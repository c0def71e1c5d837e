-- §3.2/§7.3: msg:actor() is the sender's actor {id, meta}; nil from a process without
-- one; the receiver keeps its own context.
local t = require("t")
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local plain, ids = t.actor_plain, t.scope_ids

local function main()
  local me = process.pid()
  local inbox = process.listen("greeting", { message = true })
  local blue = security.new_actor("sender-actor", { team = "blue", level = 1 })
  process.with_context({}):with_actor(blue):with_scope(security.named_scope("limited"))
    :exec("app.security:greeter", nil, me, "from blue")
  process.exec("app.security:greeter", nil, me, "from nobody")
  process.with_context({}):with_actor(security.new_actor("unscoped-actor")):exec("app.security:greeter", nil, me, "actor only")

  local m = t.recv(inbox, "greeting 1")
  t.eq(m:payload():data(), "from blue", "greeting 1")
  t.eq(plain(m:actor()), { id = "sender-actor", meta = { team = "blue", level = 1 } }, "actor of greeting 1")
  m = t.recv(inbox, "greeting 2")
  t.eq(m:payload():data(), "from nobody", "greeting 2")
  t.eq(m:actor(), nil, "actor of a message from a process without actor")
  m = t.recv(inbox, "greeting 3")
  t.eq(plain(m:actor()), { id = "unscoped-actor", meta = {} }, "actor of a message from an actor without scope")

  process.send(me, "greeting", "self")
  t.eq(t.recv(inbox, "own greeting"):actor(), nil, "actor of our own message")
  t.eq(security.actor(), nil, "our actor after receiving")
  return true
end

return { main = main }
