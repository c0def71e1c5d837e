-- Scope objects: :policies() → Policy objects; :contains(id | policy | {ns, name});
-- :with / :without → new scopes (immutable; raise unless security.scope.create on
-- with / without); :evaluate (deny wins, then allow, else "undefined").
local t = require("t")
local security = require("security")
local funcs = require("funcs")

local function ids(scope)
  local out = {}
  for _, p in ipairs(scope:policies()) do
    t.eq(type(p), "userdata", "policies() items are Policy objects")
    table.insert(out, p:id())
  end
  table.sort(out)
  return out
end

local function main()
  local readers = security.named_scope("readers")
  local read = security.policy("app.security_api:p_read")
  local admin = security.policy("app.security_api:p_admin")
  local a = security.new_actor("ann", { role = "admin" })

  -- evaluate
  t.eq(readers:evaluate(a, "doc.read", "doc:1"), "allow", "allow")
  t.eq(readers:evaluate(a, "doc.read", "doc:secret"), "deny", "deny wins over allow")
  t.eq(readers:evaluate(a, "doc.write", "doc:1"), "undefined", "no policy matches")

  -- contains
  t.eq(readers:contains("app.security_api:p_read"), true, "contains by ID")
  t.eq(readers:contains(read), true, "contains by policy")
  t.eq(readers:contains({ ns = "app.security_api", name = "p_no_secret" }), true, "contains by {ns, name}")
  t.eq(readers:contains(admin), false, "does not contain")
  t.raises({ "policy" }, function() return readers:contains(42) end)

  -- with / without: new scopes, the original unchanged
  local more = readers:with(admin)
  t.eq(ids(more), { "app.security_api:p_admin", "app.security_api:p_no_secret", "app.security_api:p_read" }, "with")
  t.eq(ids(readers), { "app.security_api:p_no_secret", "app.security_api:p_read" }, "original unchanged")
  t.eq(#more:with(admin):policies(), 3, "with a policy already in: once")
  t.eq(more:evaluate(a, "doc.write", "doc:1"), "allow", "the added policy decides")
  t.eq(ids(more:without("app.security_api:p_admin")), ids(readers), "without by ID")
  t.eq(ids(more:without(admin)), ids(readers), "without by policy")
  t.eq(ids(more:without({ ns = "app.security_api", name = "p_read" })),
    { "app.security_api:p_admin", "app.security_api:p_no_secret" }, "without by {ns, name}")
  t.eq(#more:without("app.security_api:absent"):policies(), 3, "without an absent policy")
  t.raises({}, function() return readers:with("app.security_api:p_admin") end)

  -- Permission checks
  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-p")):with_scope(security.named_scope("narrow"))
      :call("app.security_api:probe", op)
  end
  t.eq(call("scope_with_ok"), { ok = 7 }, "with allowed (security.scope.create on with)")
  local d = call("scope_without_denied")
  t.ok(d.raised ~= nil, "without denied raises: " .. t.show(d))
  t.contains(d.raised, "security.scope.create", "without denied")
  t.contains(d.raised, "without", "without denied names the resource")
  return true
end

return { main = main }
