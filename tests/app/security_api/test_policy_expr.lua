-- security.policy.expr: the expression decides after actions and resources; its
-- variables are the condition fields (actor.id, actor.meta.*, action, resource, meta.*).
local t = require("t")
local security = require("security")

local function main()
  local p = security.policy("app.security_api:p_expr")
  t.eq(p:id(), "app.security_api:p_expr", "an expression policy is a Policy")
  local hi = security.new_actor("hi", { level = 5 })
  local lo = security.new_actor("lo", { level = 1 })
  t.eq(p:evaluate(hi, "view", "report:1"), "allow", "level 5")
  t.eq(p:evaluate(lo, "view", "report:1"), "undefined", "level 1")
  t.eq(p:evaluate(hi, "view", "report:locked"), "undefined", "resource excluded by the expression")
  t.eq(p:evaluate(hi, "view", "doc:1"), "undefined", "resource pattern not matched")
  t.eq(p:evaluate(hi, "view", "report:1", { via = "api" }), "undefined", "meta.via = api")
  t.eq(p:evaluate(hi, "view", "report:1", { via = "web" }), "allow", "meta.via = web")
  -- A missing or mistyped variable makes the expression fail: no match, not an error.
  t.eq(p:evaluate(security.new_actor("none"), "view", "report:1"), "undefined", "no level")
  t.eq(p:evaluate(security.new_actor("str", { level = "high" }), "view", "report:1"), "undefined", "level is a string")
  -- In a scope.
  local s = security.new_scope({ p })
  t.eq(s:evaluate(hi, "view", "report:2"), "allow", "scope with the expression policy")
  return true
end

return { main = main }
