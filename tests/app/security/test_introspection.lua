-- §5/§7 security module: a test runs with no actor or scope (so, strict mode off, it may
-- do anything); named_scope/new_scope/policy build scopes; a child started with
-- with_actor/with_scope sees them and decides by them (deny wins, conditions).
-- (The object methods themselves are covered one by one in tests/app/security_api.)
local t = require("t")
local security = require("security")
local errors = require("errors")

local LIMITED = {
  "app.security:lim_call", "app.security:lim_cond_call", "app.security:lim_host",
  "app.security:lim_local_ops", "app.security:lim_names", "app.security:lim_no_forbidden",
  "app.security:lim_security", "app.security:lim_spawn",
}

-- Scopes hold Policy objects: their IDs, in order or sorted.
local function ids(scope, keep_order)
  local out = {}
  for _, p in ipairs(scope:policies()) do
    table.insert(out, p:id())
  end
  if not keep_order then
    table.sort(out)
  end
  return out
end

local function main()
  t.eq(security.actor(), nil, "a test's actor")
  t.eq(security.scope(), nil, "a test's scope")
  t.eq(security.can("process.spawn", "app.security:forbidden"), true, "can without actor/scope (strict mode off)")

  local limited = security.named_scope("limited")
  t.eq(ids(limited), LIMITED, "named_scope(\"limited\")")
  t.eq(ids(security.named_scope("app.security:limited")), LIMITED, "named_scope with a qualified group")
  local none, gerr = security.named_scope("no-such-group")
  t.eq(none, nil, "named_scope of an unknown group")
  t.err(gerr, errors.INTERNAL, { "no-such-group" }, "named_scope of an unknown group")

  local made = security.new_scope({ security.policy("app.security:lim_host"), security.policy("app.security:lim_call") })
  t.eq(ids(made, true), { "app.security:lim_host", "app.security:lim_call" }, "new_scope from policies")
  t.eq(ids(security.new_scope({ "app.security:lim_host" })), {}, "new_scope ignores IDs (not Policy objects)")

  local deny = security.policy("app.security:lim_no_forbidden")
  t.eq({ deny:id(), deny:effect(), deny:groups() }, { "app.security:lim_no_forbidden", "deny", { "limited" } }, "policy object")
  local _, perr = security.policy("app.security:nope")
  t.err(perr, errors.INTERNAL, { "app.security:nope" }, "policy of an unknown ID")
  local wider = made:with(deny)
  t.eq(wider:contains("app.security:lim_no_forbidden"), true, "scope:with")
  t.eq(made:contains("app.security:lim_no_forbidden"), false, "scope:with changed the original")
  t.eq(ids(wider:without("app.security:lim_host"), true), { "app.security:lim_call", "app.security:lim_no_forbidden" }, "scope:without")

  local x = security.new_actor("x", { k = 1 })
  t.eq({ x:id(), x:meta() }, { "x", { k = 1 } }, "new_actor with meta")
  t.eq(security.new_actor("y"):meta(), {}, "new_actor without meta")

  -- A child under actor + scope.
  local tester = security.new_actor("intro-tester", { role = "tester" })
  local r = process.with_context({}):with_actor(tester):with_scope(limited):exec("app.security:whoami")
  t.eq(r, {
    actor = { id = "intro-tester", meta = { role = "tester" } },
    policies = LIMITED,
    can_spawn_target = true,
    can_spawn_forbidden = false, -- the deny policy wins over lim_spawn's allow
    can_cond = true,
  }, "whoami under limited as a tester")
  -- The same scope, an actor whose role fails the condition.
  local guest = security.new_actor("intro-guest", { role = "guest" })
  r = process.with_context({}):with_actor(guest):with_scope(limited):exec("app.security:whoami")
  t.eq({ r.actor.id, r.can_cond, r.can_spawn_target }, { "intro-guest", false, true }, "whoami as a guest")
  -- Without with_actor/with_scope a child of a test has neither.
  r = process.exec("app.security:whoami")
  t.eq({ r.actor, r.policies, r.can_spawn_forbidden }, { nil, nil, true }, "whoami without a context")
  return true
end

return { main = main }
