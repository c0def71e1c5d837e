-- §7.3: with_actor/with_scope on a spawner needs process.security on the entry; on
-- funcs.new() it needs funcs.security on the function. Denied without, allowed with.
local t = require("t")
local security = require("security")
local funcs = require("funcs")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local plain, ids = t.actor_plain, t.scope_ids

local function main()
  local actor = security.new_actor("gate-actor", { role = "tester" })
  local limited = security.named_scope("limited")
  local limited_ids = ids(limited)

  -- From a test (no actor or scope; strict mode off) with_actor/with_scope are allowed.
  local direct, derr = funcs.new():with_actor(actor):with_scope(limited):call("app.security:fn_whoami")
  t.eq(derr, nil, "call with_actor from the test")
  t.eq(direct, { actor = { id = "gate-actor", meta = { role = "tester" } }, policies = limited_ids }, "function called with_actor from the test")

  -- Scope without process.security / funcs.security.
  local r, err = process.with_context({}):with_actor(actor):with_scope(limited):exec("app.security:delegator")
  t.eq(err, nil, "delegator error")
  for k, v in pairs({
    spawn_actor = { "process.security", "app.security:whoami" },
    spawn_scope = { "process.security", "app.security:whoami" },
    call_actor = { "funcs.security", "app.security:fn_whoami" },
    call_scope = { "funcs.security", "app.security:fn_whoami" },
  }) do
    t.eq(r[k].kind, "PermissionDenied", k .. " without permission")
    t.contains(r[k].message, v[1], k)
    t.contains(r[k].message, v[2], k)
  end
  local inherited = { id = "gate-actor", meta = { role = "tester" } }
  t.eq(r.spawn_plain.ok.actor, inherited, "plain spawn from the delegator")
  t.eq(r.call_plain.ok, { actor = inherited, policies = limited_ids }, "plain call from the delegator")

  -- The same with the delegate policy added.
  local wider = limited:with(security.policy("app.security:delegate"))
  local wider_ids = ids(wider)
  r, err = process.with_context({}):with_actor(actor):with_scope(wider):exec("app.security:delegator")
  t.eq(err, nil, "delegator error (delegate)")
  local delegated = { id = "delegated", meta = { level = 2 } }
  t.eq(r.spawn_actor.ok.actor, delegated, "child started with_actor")
  t.eq(r.spawn_actor.ok.policies, wider_ids, "its scope (inherited)")
  t.eq(r.spawn_scope.ok.actor, inherited, "child started with_scope: actor")
  t.eq(r.spawn_scope.ok.policies, { "app.security:lim_host" }, "child started with_scope: scope")
  t.eq(r.call_actor.ok, { actor = delegated, policies = wider_ids }, "function called with_actor")
  t.eq(r.call_scope.ok, { actor = inherited, policies = { "app.security:lim_host" } }, "function called with_scope")
  return true
end

return { main = main }
