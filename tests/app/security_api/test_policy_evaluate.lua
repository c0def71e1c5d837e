-- policy:evaluate(actor, action, resource [, meta]) → "allow" | "deny" | "undefined".
local t = require("t")
local security = require("security")

local function main()
  local read = security.policy("app.security_api:p_read")
  local deny = security.policy("app.security_api:p_no_secret")
  local admin = security.policy("app.security_api:p_admin")
  local a = security.new_actor("ann", { role = "admin" })
  local g = security.new_actor("gus", { role = "guest" })
  t.eq(read:evaluate(a, "doc.read", "doc:1"), "allow", "matching allow policy")
  t.eq(read:evaluate(a, "doc.write", "doc:1"), "undefined", "other action")
  t.eq(read:evaluate(a, "doc.read", "img:1"), "undefined", "other resource")
  t.eq(deny:evaluate(a, "doc.read", "doc:secret"), "deny", "matching deny policy")
  t.eq(admin:evaluate(a, "doc.write", "doc:1"), "allow", "condition holds")
  t.eq(admin:evaluate(g, "doc.write", "doc:1"), "undefined", "condition fails")
  t.eq(admin:evaluate(nil, "doc.write", "doc:1"), "undefined", "no actor: actor fields are missing")
  t.eq(read:evaluate(nil, "doc.read", "doc:1"), "allow", "no actor, no conditions")
  -- A table actor is accepted too; anything else raises.
  t.eq(admin:evaluate({ id = "t", meta = { role = "admin" } }, "doc.write", "doc:1"), "allow", "table actor")
  t.raises({ "actor" }, function() return read:evaluate(42, "doc.read", "doc:1") end)
  t.raises({}, function() return read:evaluate(a, nil, "doc:1") end)
  return true
end

return { main = main }
