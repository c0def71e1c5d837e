-- new_actor(id [, meta]) → Actor; raises unless security.actor.create on id; bad
-- arguments raise.
local t = require("t")
local security = require("security")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local a = security.new_actor("x", { k = 1, nested = { list = { 1, 2 } } })
  t.eq({ a:id(), a:meta() }, { "x", { k = 1, nested = { list = { 1, 2 } } } }, "with meta")
  t.eq(security.new_actor("y"):meta(), {}, "without meta")
  t.raises({ "ID" }, security.new_actor, "")
  t.raises({ "ID" }, security.new_actor, string.rep("i", 2000))
  t.raises({ "meta" }, security.new_actor, "z", 5)
  local cyc = {}
  cyc.self = cyc
  t.raises({}, security.new_actor, "z", cyc)

  local narrow = security.named_scope("narrow")
  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-probe")):with_scope(narrow)
      :call("app.security_api:probe", op)
  end
  t.eq(call("new_actor_ok"), { ok = "ok-1" }, "security.actor.create allowed on ok-*")
  local denied = call("new_actor_denied")
  t.ok(denied.raised ~= nil, "new_actor without security.actor.create raises: " .. t.show(denied))
  t.contains(denied.raised, "security.actor.create", "denial")
  t.contains(denied.raised, "root", "denial names the ID")
  return true
end

return { main = main }
