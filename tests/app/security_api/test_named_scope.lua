-- named_scope(group) → Scope of the group's policies (group as written or qualified);
-- unknown group → nil, err Internal; denied security.policy_group.get → nil, err Invalid.
local t = require("t")
local security = require("security")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local want = { "app.security_api:p_no_secret", "app.security_api:p_read" }
  local s, err = security.named_scope("readers")
  t.eq(err, nil, "no error")
  t.eq(t.scope_ids(s), want, "group readers")
  t.eq(t.scope_ids(security.named_scope("app.security_api:readers")), want, "qualified group")

  local none, nerr = security.named_scope("no-such-group")
  t.eq(none, nil, "unknown group")
  t.err(nerr, errors.INTERNAL, { "no-such-group" }, "unknown group")

  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-p")):with_scope(security.named_scope("narrow"))
      :call("app.security_api:probe", op)
  end
  t.eq(call("named_scope_ok"), { ok = 2 }, "allowed policy_group.get")
  local d = call("named_scope_denied")
  t.eq(d.kind, errors.INVALID, "denied policy_group.get: " .. t.show(d))
  t.contains(d.message, "security.policy_group.get", "denied")
  return true
end

return { main = main }
