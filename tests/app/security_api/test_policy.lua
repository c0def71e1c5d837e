-- policy(id) → Policy (:id() "ns:name"), nil; missing → nil, err Internal; denied
-- security.policy.get → nil, err Invalid.
local t = require("t")
local security = require("security")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local p, err = security.policy("app.security_api:p_read")
  t.eq(err, nil, "no error")
  t.eq(type(p), "userdata", "a Policy object")
  t.eq(p:id(), "app.security_api:p_read", "policy:id()")
  t.eq(p:effect(), "allow", "policy:effect()")
  t.eq(p:groups(), { "readers" }, "policy:groups()")

  local none, nerr = security.policy("app.security_api:nope")
  t.eq(none, nil, "missing policy")
  t.err(nerr, errors.INTERNAL, { "app.security_api:nope" }, "missing policy")

  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-p")):with_scope(security.named_scope("narrow"))
      :call("app.security_api:probe", op)
  end
  t.eq(call("policy_ok"), { ok = "app.security_api:p_read" }, "allowed policy.get")
  local d = call("policy_denied")
  t.eq(d.kind, errors.INVALID, "denied policy.get: " .. t.show(d))
  t.contains(d.message, "security.policy.get", "denied policy.get")
  return true
end

return { main = main }
