-- Tries to start a child and a function call under another actor / scope; whether that
-- is allowed depends on its own scope (process.security / funcs.security).
local funcs = require("funcs")
local security = require("security")

local function outcome(v, err)
  if err ~= nil then
    return { kind = err:kind(), message = err:message() }
  end
  return { ok = v }
end

local function main()
  local other = security.new_actor("delegated", { level = 2 })
  local narrow = security.new_scope({ security.policy("app.security:lim_host") })
  return {
    spawn_actor = outcome(process.with_context({}):with_actor(other):exec("app.security:whoami")),
    spawn_scope = outcome(process.with_context({}):with_scope(narrow):exec("app.security:whoami")),
    spawn_plain = outcome(process.exec("app.security:whoami")),
    call_actor = outcome(funcs.new():with_actor(other):call("app.security:fn_whoami")),
    call_scope = outcome(funcs.new():with_scope(narrow):call("app.security:fn_whoami")),
    call_plain = outcome(funcs.call("app.security:fn_whoami")),
  }
end

return { main = main }
