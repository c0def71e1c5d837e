-- new_scope([policies]) → Scope of the Policy objects (other items ignored, duplicates
-- once); raises unless security.scope.create on `custom`.
local t = require("t")
local security = require("security")
local funcs = require("funcs")

local function ids(scope)
  local out = {}
  for _, p in ipairs(scope:policies()) do
    table.insert(out, p:id())
  end
  return out
end

local function main()
  t.eq(ids(security.new_scope()), {}, "no argument: empty scope")
  t.eq(ids(security.new_scope({})), {}, "empty list")
  local read = security.policy("app.security_api:p_read")
  local deny = security.policy("app.security_api:p_no_secret")
  local s = security.new_scope({ read, "app.security_api:p_admin", 42, {}, deny, read })
  t.eq(ids(s), { "app.security_api:p_read", "app.security_api:p_no_secret" },
    "policy objects kept in order, others ignored, duplicates once")

  local r = funcs.new():with_actor(security.new_actor("ok-p")):with_scope(security.named_scope("narrow"))
    :call("app.security_api:probe", "new_scope_denied")
  t.ok(r.raised ~= nil, "new_scope without security.scope.create raises: " .. t.show(r))
  t.contains(r.raised, "security.scope.create", "denial")
  t.contains(r.raised, "custom", "denial names the resource")
  return true
end

return { main = main }
