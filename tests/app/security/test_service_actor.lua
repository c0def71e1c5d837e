-- §4.1/§7.3: a process.service runs with the actor and policies of its
-- lifecycle.security; its messages carry that actor; it decides by its policies.
local t = require("t")
local security = require("security")

-- Actors and scopes are objects (WIPPY-API.md §9): plain values for comparing and sending.
local plain, ids = t.actor_plain, t.scope_ids

local function main()
  local replies = process.listen("svc_reply", { message = true })
  local forbidden = process.listen("forbidden_ran")
  local svc = t.wait_name("app.security.reporter")
  t.ok(string.match(svc, t.pid_pattern("app:processes")) ~= nil, "service PID " .. svc)
  t.eq(process.send("app.security.reporter", "whoami", 1), true, "send to the service by name")
  local m = t.recv(replies, "the service's reply")
  local want = { id = "svc:reporter", meta = { role = "reporter" } }
  t.eq(m:from(), svc, "reply sender")
  t.eq(plain(m:actor()), want, "actor of the service's message")
  local r = m:payload():data()
  t.eq(r.actor, want, "security.actor() inside the service")
  t.eq(r.policies, { "app.security:svc_register", "app.security:svc_send" }, "the service's scope")
  t.eq(r.sender_actor, nil, "msg:actor() of our request (we have none)")
  t.eq(r.can_spawn, false, "security.can inside the service")
  t.eq(r.spawn_kind, "PermissionDenied", "spawn from the service")
  t.contains(r.spawn_message, "svc:reporter", "denial names the actor")
  t.contains(r.spawn_message, "process.spawn", "denial names the action")
  t.contains(r.spawn_message, "app.security:forbidden", "denial names the resource")
  t.eq(t.drain(forbidden, 50), {}, "the forbidden process ran")
  t.eq(security.actor(), nil, "our actor after talking to the service")
  return true
end

return { main = main }
