-- env.get needs env.get and env.set needs env.set on the name (PermissionDenied).
local t = require("t")
local funcs = require("funcs")
local security = require("security")
local errors = require("errors")

local function main()
  local call = function(...)
    return funcs.new():with_actor(security.new_actor("env-probe")):with_scope(security.named_scope("env_narrow"))
      :call("app.env:probe", ...)
  end
  t.eq(call("get", "STATIC_A"), { ok = "alpha" }, "env.get allowed")
  local d = call("get", "PATH")
  t.eq(d.kind, errors.PERMISSION_DENIED, "env.get denied: " .. t.show(d))
  t.contains(d.message, "env.get", "env.get denied")
  t.eq(call("set", "MEM_PROBE", "from-probe"), { ok = true }, "env.set allowed")
  t.eq(call("get", "MEM_PROBE"), { ok = "from-probe" }, "read back under the scope")
  d = call("set", "STATIC_A", "x")
  t.eq(d.kind, errors.PERMISSION_DENIED, "env.set denied")
  t.contains(d.message, "env.set", "env.set denied")
  d = call("set", "FILE_VAR", "x")
  t.eq(d.kind, errors.PERMISSION_DENIED, "env.set denied before the storage is touched")
  return true
end

return { main = main }
