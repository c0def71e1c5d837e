-- The negative condition operators: ncontains (string or list) and nmatches (regular
-- expression); a missing field satisfies them.
local t = require("t")
local security = require("security")

local function main()
  local nc = security.policy("app.security_api:p_ncontains")
  local act = function(meta) return nc:evaluate(security.new_actor("a", meta), "tag.use", "x") end
  t.eq(act({ tags = { "red", "blue" } }), "allow", "list without the value")
  t.eq(act({ tags = { "red", "banned" } }), "undefined", "list with the value")
  t.eq(act({ tags = "all-banned-here" }), "undefined", "string containing the value")
  t.eq(act({ tags = "clean" }), "allow", "string without the value")
  t.eq(act({}), "allow", "missing field")

  local nm = security.policy("app.security_api:p_nmatches")
  t.eq(nm:evaluate(security.new_actor("member-1"), "member.act", "x"), "allow", "id does not match ^guest-")
  t.eq(nm:evaluate(security.new_actor("guest-7"), "member.act", "x"), "undefined", "id matches ^guest-")
  t.eq(nm:evaluate(nil, "member.act", "x"), "allow", "no actor: missing field")
  return true
end

return { main = main }
