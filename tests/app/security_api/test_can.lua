-- can(action, resource [, meta]): with actor and scope the scope decides (deny wins, then
-- allow, else denied); without them strict mode does (off here: allowed).
local t = require("t")
local security = require("security")
local funcs = require("funcs")

local function main()
  t.eq(security.can("anything", "at:all"), true, "no actor/scope, strict mode off")
  local narrow = security.named_scope("narrow")
  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-bob")):with_scope(narrow)
      :call("app.security_api:probe", op)
  end
  t.eq(call("can_read"), { ok = true }, "allowed by n_doc_read")
  t.eq(call("can_write"), { ok = false }, "no policy allows doc.write")
  -- meta feeds the request's meta.* (here in p_expr's expression).
  local expr = security.new_scope({ security.policy("app.security_api:p_expr") })
  local as = function(op)
    return funcs.new():with_actor(security.new_actor("lvl", { level = 3 })):with_scope(expr)
      :call("app.security_api:probe", op)
  end
  t.eq(as("can_report_web"), { ok = true }, "meta.via = web")
  t.eq(as("can_report_api"), { ok = false }, "meta.via = api")
  t.raises({ "meta" }, security.can, "doc.read", "doc:1", "not a table")
  return true
end

return { main = main }
