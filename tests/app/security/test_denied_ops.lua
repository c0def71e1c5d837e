-- §7.2: under a scope, allowed operations work and denied ones answer PERMISSION_DENIED
-- naming the action and the resource, with no side effect: spawn, send, cancel, link,
-- monitor, terminate, register (directly and by a spawner's with_name), funcs.call (and
-- funcs.async).
local t = require("t")
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local plain, ids = t.actor_plain, t.scope_ids
local uuid = require("uuid")

local function denied(r, action, resource, what)
  t.eq(r.ok, nil, what .. ": it was allowed")
  t.eq(r.kind, "PermissionDenied", what .. ": kind")
  t.contains(r.message, action, what)
  t.contains(r.message, resource, what)
  t.contains(r.message, "probe-actor", what)
end

local function main()
  local me = process.pid()
  local tag = uuid.v4()
  local saw = process.listen("target_saw")
  local hello = process.listen("probe_hello", { message = true })
  local forbidden = process.listen("forbidden_ran")
  local fn_denied = process.listen("fn_denied_ran")

  local actor = security.new_actor("probe-actor", { role = "tester" })
  local r, err = process.with_context({}):with_actor(actor):with_scope(security.named_scope("limited"))
    :exec("app.security:probe", nil, me, tag)
  t.eq(err, nil, "probe error")
  local target = r.target

  t.eq(r.send_ok, { ok = true }, "send to the test (allowed)")
  denied(r.send_denied, "process.send", target, "send to app:other")
  denied(r.spawn_forbidden, "process.spawn", "app.security:forbidden", "spawn of the forbidden entry")
  t.contains(r.spawn_forbidden.message, "app.security:lim_no_forbidden", "the deny policy named")
  denied(r.spawn_outside, "process.spawn", "app.processes:outcome", "spawn outside app.security")
  denied(r.cancel_denied, "process.cancel", target, "cancel on app:other")
  denied(r.link_denied, "process.link", target, "link on app:other")
  denied(r.monitor_denied, "process.monitor", target, "monitor on app:other")
  denied(r.terminate_denied, "process.terminate", target, "terminate on app:other")
  for _, k in ipairs({ "cancel_ok", "link_ok", "unlink_ok", "monitor_ok", "terminate_ok" }) do
    t.eq(r[k], { ok = true }, k)
  end
  t.contains(r.victim_exit, "terminated", "the victim's exit after an allowed terminate")
  t.eq(r.register_ok, { ok = true }, "register sec.ok.*")
  denied(r.register_denied, "process.registry.register", "sec.no." .. tag, "register outside sec.ok.*")
  t.eq(r.denied_name_bound, false, "the denied name got bound")
  t.eq(r.named_spawn_ok, { ok = true }, "spawner with_name(sec.ok.*)")
  t.eq(r.named_bound, true, "the with_name child holds its name")
  t.eq(r.named_spawn_denied.raised, true, "spawner with_name outside sec.ok.*: the denial raises")
  t.contains(r.named_spawn_denied.message, "permission denied", "spawner with_name outside sec.ok.*")
  t.contains(r.named_spawn_denied.message, "process.registry.register", "spawner with_name outside sec.ok.*")
  t.contains(r.named_spawn_denied.message, "sec.no.named." .. tag, "spawner with_name outside sec.ok.*")
  t.eq(r.named_denied_bound, false, "the denied with_name got bound")
  t.eq(r.call_ok.ok.actor, { id = "probe-actor", meta = { role = "tester" } }, "fn_ok's actor (inherited)")
  t.eq(#r.call_ok.ok.policies, 8, "fn_ok's scope (inherited)")
  denied(r.call_denied, "funcs.call", "app.security:fn_denied", "call of fn_denied")
  denied(r.async_denied, "funcs.call", "app.security:fn_denied", "async of fn_denied")
  t.eq(r.call_cond, { ok = "conditional call ran" }, "call allowed by a condition on actor.meta.role")
  t.eq(r.can, { spawn_target = true, spawn_forbidden = false, send_other = false, call_denied = false }, "security.can inside the probe")

  -- The probe's allowed message carries its actor.
  local m = t.recv(hello, "the probe's hello")
  t.eq(m:payload():data(), tag, "hello payload")
  t.eq(plain(m:actor()), { id = "probe-actor", meta = { role = "tester" } }, "actor of the probe's message")

  -- No side effects: nothing ran, the target got nothing, the names are free.
  t.eq(t.drain(forbidden, 100), {}, "the forbidden process ran")
  t.eq(t.pending(fn_denied), {}, "the denied function ran")
  t.eq(t.pending(saw), {}, "what the target saw from denied send/cancel")
  t.eq(process.registry.lookup("sec.no." .. tag), nil, "the denied name")
  t.eq(process.registry.lookup("sec.ok." .. tag), nil, "the allowed name after the probe exited")
  -- The target survived the denied terminate, and this is the first message it sees.
  t.eq(process.send(target, "still_alive", 1), true, "send to the target")
  t.eq(t.recv(saw, "the target's answer"), { topic = "still_alive" }, "first thing the target saw")
  local events = process.events()
  process.monitor(target)
  process.terminate(target)
  t.ok(t.event(events, process.event.EXIT, target).result.error ~= nil, "target exit")
  return true
end

return { main = main }
