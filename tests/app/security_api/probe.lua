-- Runs one security operation under the caller-given actor and scope (the tests call it
-- with the `narrow` scope) and reports what it answered, as plain values:
-- {ok = ...} for a value, {kind =, message =} for `nil, err`, {raised = text} for a raise.
local security = require("security")

local function outcome(f)
  local ok, v, err = pcall(f)
  if not ok then
    return { raised = tostring(v) }
  end
  if err ~= nil then
    return { kind = err:kind(), message = err:message() }
  end
  return { ok = v }
end

local ops = {
  new_actor_ok = function() return security.new_actor("ok-1", { n = 1 }):id() end,
  new_actor_denied = function() return security.new_actor("root") end,
  new_scope_denied = function() return security.new_scope({}) end,
  policy_ok = function()
    local p, err = security.policy("app.security_api:p_read")
    return p and p:id(), err
  end,
  policy_denied = function() return security.policy("app.security_api:p_admin") end,
  named_scope_ok = function()
    local s, err = security.named_scope("readers")
    return s and #s:policies(), err
  end,
  named_scope_denied = function() return security.named_scope("narrow") end,
  scope_with_ok = function()
    local me = security.scope()
    local p = security.policy("app.security_api:p_read")
    return #me:with(p):policies()
  end,
  scope_without_denied = function()
    return security.scope():without("app.security_api:n_doc_read")
  end,
  token_store_ok = function()
    local s, err = security.token_store("app.security_api:tokens")
    return s ~= nil, err
  end,
  token_store_denied = function() return security.token_store("app.security_api:tokens_short") end,
  can_read = function() return security.can("doc.read", "doc:1") end,
  can_write = function() return security.can("doc.write", "doc:1") end,
  can_report_api = function() return security.can("view", "report:1", { via = "api" }) end,
  can_report_web = function() return security.can("view", "report:1", { via = "web" }) end,
  whoami = function()
    local a = security.actor()
    return { id = a:id(), meta = a:meta() }
  end,
}

return {
  main = function(op)
    local f = ops[op]
    if f == nil then
      error("probe: unknown op " .. tostring(op))
    end
    return outcome(f)
  end,
}
