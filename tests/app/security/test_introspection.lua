-- §5/§7 security module: a test runs with no actor or scope (so, strict mode off, it may
-- do anything); named_scope/new_scope/policy build scopes; a child started with
-- with_actor/with_scope sees them and decides by them (deny wins, conditions).
local t = require("t")
local security = require("security")

local LIMITED = {
  "app.security:lim_call", "app.security:lim_cond_call", "app.security:lim_host",
  "app.security:lim_local_ops", "app.security:lim_names", "app.security:lim_no_forbidden",
  "app.security:lim_spawn",
}

local function sorted(list)
  table.sort(list)
  return list
end

local function main()
  t.eq(security.actor(), nil, "a test's actor")
  t.eq(security.scope(), nil, "a test's scope")
  t.eq(security.can("process.spawn", "app.security:forbidden"), true, "can without actor/scope (strict mode off)")

  local limited = security.named_scope("limited")
  t.eq(sorted(limited:policies()), LIMITED, "named_scope(\"limited\")")
  t.eq(sorted(security.named_scope("app.security:limited"):policies()), LIMITED, "named_scope with a qualified group")
  t.eq(security.named_scope("no-such-group"):policies(), {}, "named_scope of an unknown group")

  local made = security.new_scope({ "app.security:lim_host", security.policy("app.security:lim_call") })
  t.eq(made:policies(), { "app.security:lim_host", "app.security:lim_call" }, "new_scope from an ID and a policy")
  local none, nerr = security.new_scope({ "app.security:nope" })
  t.eq(none, nil, "new_scope with an unknown policy")
  t.err(nerr, "NotFound", { "app.security:nope" }, "new_scope with an unknown policy")

  local deny = security.policy("app.security:lim_no_forbidden")
  t.eq({ deny:id(), deny:effect(), deny:groups() }, { "app.security:lim_no_forbidden", "deny", { "limited" } }, "policy object")
  local _, perr = security.policy("app.security:nope")
  t.err(perr, "NotFound", { "app.security:nope" }, "policy of an unknown ID")
  local wider = made:with(deny)
  t.eq(wider:contains("app.security:lim_no_forbidden"), true, "scope:with")
  t.eq(made:contains("app.security:lim_no_forbidden"), false, "scope:with changed the original")
  t.eq(wider:without("app.security:lim_host"):policies(), { "app.security:lim_call", "app.security:lim_no_forbidden" }, "scope:without")

  t.eq(security.new_actor("x", { k = 1 }), { id = "x", meta = { k = 1 } }, "new_actor with meta")
  t.eq(security.new_actor("y"), { id = "y", meta = {} }, "new_actor without meta")

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
