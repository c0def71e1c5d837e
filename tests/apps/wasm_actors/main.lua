-- Drivers for tests/wasm.rs: each scenario runs the wasm test actor
-- (tests/guests/actor) against Lua and returns what Lua observed.
local time = require("time")

local function wait_topic(topic)
  return process.listen(topic):receive()
end

-- Wait for the EXIT of `pid` on the events channel.
local function wait_exit(events, pid)
  while true do
    local e = events:receive()
    if e.kind == process.event.EXIT and e.from == pid then
      return e.result
    end
  end
end

local function exit_text(r)
  if r.error ~= nil then return "error: " .. tostring(r.error) end
  return "ok: " .. tostring(r.value)
end

local S = {}

function S.echo1000()
  local events = process.events()
  local a = process.spawn_monitored("app:actor", nil, "echo")
  local echoes = process.listen("echo")
  for i = 1, 1000 do process.send(a, "n", { i = i, text = "m" .. i }) end
  local in_order, count = true, 0
  for i = 1, 1000 do
    local v = echoes:receive()
    count += 1
    if v.i ~= i or v.text ~= "m" .. i then in_order = false end
  end
  -- values of every kind survive the trip through MessagePack
  process.send(a, "n", { nested = { 1, 2.5, "x", true }, n = -7, big = 9007199254740993 })
  local v = echoes:receive()
  local kinds_ok = v.nested[1] == 1 and v.nested[2] == 2.5 and v.nested[3] == "x"
    and v.nested[4] == true and v.n == -7 and v.big == 9007199254740993
  process.send(a, "stop")
  return { count = count, in_order = in_order, kinds_ok = kinds_ok, exit = exit_text(wait_exit(events, a)) }
end

function S.routing()
  local me = process.pid()
  local a = process.spawn("app:actor", nil, "routing", me)
  wait_topic("ready")
  process.send(a, "b", 1)
  process.send(a, "a", 2)
  process.send(a, "b", 3)
  process.send(a, "a", 4)
  return wait_topic("report")
end

function S.wasm_monitors_lua()
  local target = process.spawn("app:sleeper", nil, 200, true)
  process.spawn("app:actor", nil, "monitor", process.pid(), target)
  wait_topic("ready")
  return wait_topic("exit")
end

function S.wasm_traps_lua_link()
  local target = process.spawn("app:sleeper", nil, 200, true)
  process.spawn("app:actor", nil, "trap", process.pid(), target)
  wait_topic("ready")
  return wait_topic("link_down")
end

function S.lua_monitors_wasm_crash()
  local events = process.events()
  local a = process.spawn_monitored("app:actor", nil, "crash")
  process.send(a, "go", 1)
  return exit_text(wait_exit(events, a))
end

function S.lua_link_down_from_wasm()
  process.set_options({ trap_links = true })
  local events = process.events()
  local a = process.spawn_linked("app:actor", nil, "crash")
  process.send(a, "go", 1)
  while true do
    local e = events:receive()
    if e.kind == process.event.LINK_DOWN then
      -- As Wippy: LINK_DOWN carries the error as `result.error`.
      return { from_actor = e.from == a, reason = e.result.error:message(), kind = e.result.error:kind() }
    end
  end
end

function S.wasm_dies_from_link()
  local events = process.events()
  local a = process.spawn_monitored("app:actor", nil, "idle")
  process.spawn("app:linker", nil, a)
  return exit_text(wait_exit(events, a))
end

function S.cancel()
  local events = process.events()
  local a = process.spawn_monitored("app:actor", nil, "cancel", process.pid())
  wait_topic("ready")
  process.cancel(a, "please stop")
  local reason = wait_topic("canceled")
  local result = wait_topic("result")
  return { reason = reason, result = result, exit = exit_text(wait_exit(events, a)) }
end

function S.terminate()
  local events = process.events()
  local a = process.spawn_monitored("app:actor", nil, "idle")
  time.sleep("20ms")
  process.terminate(a)
  return exit_text(wait_exit(events, a))
end

function S.preempt()
  local events = process.events()
  local spinner = process.spawn_monitored("app:spinner", nil, "spin")
  time.sleep("20ms") -- let it start spinning
  local rounds, err = process.exec("app:pinger", nil, 100)
  local still_running = channel.select({ events:case_receive(), default = true }).default == true
  local same_host = spinner:match("@([^|]+)|") == process.pid():match("@([^|]+)|")
  return {
    rounds = rounds, err = err and tostring(err) or "none",
    spinner_still_running = still_running, same_host = same_host,
    spinner_exit = exit_text(wait_exit(events, spinner)),
  }
end

function S.memory()
  local events = process.events()
  local g = process.spawn_monitored("app:grower", nil, "grow")
  return exit_text(wait_exit(events, g))
end

function S.call()
  local a = process.spawn("app:actor", nil, "call")
  process.send(a, "n", 21)
  local v = wait_topic("doubled")
  process.send(a, "stop")
  return v
end

function S.spawn()
  process.spawn("app:actor", nil, "spawn", process.pid())
  return wait_topic("child_exit")
end

-- The wasm actor's `funcs.call` under a scope, denied and then allowed (SPEC §7.2), and
-- the actor its replies carry (SPEC §7.3).
function S.call_checked()
  local security = require("security")
  local out = {}
  for _, case in ipairs({ { "denied", { "app:messaging" } }, { "allowed", { "app:messaging", "app:calling" } } }) do
    local name, policies = case[1], case[2]
    local a = process.with_context({})
      :with_actor(security.new_actor("wasm-" .. name, { role = "worker" }))
      :with_scope(security.new_scope((function()
        local objects = {}
        for _, id in ipairs(policies) do table.insert(objects, (security.policy(id))) end
        return objects
      end)()))
      :spawn("app:actor", nil, "call")
    process.send(a, "n", 21)
    local inbox = process.inbox()
    local m = inbox:receive()
    local actor = m:actor()
    out[name] = { topic = m:topic(), payload = m:payload():data(), actor = actor:id(), role = actor:meta().role }
    process.send(a, "stop")
  end
  return out
end

-- The PID registered as `name`, once it differs from `old`.
local function await_name(name, old)
  for _ = 1, 500 do
    local pid = process.registry.lookup(name)
    if pid and pid ~= old then return pid end
    time.sleep("10ms")
  end
  error("timed out waiting for " .. name)
end

function S.supervised()
  local events = process.events()
  local sup = process.spawn_monitored("app:wsup")
  local first = await_name("wcrash")
  process.send(first, "go", 1)
  local second = await_name("wcrash", first)
  process.send(second, "go", 2)
  local third = await_name("wcrash", second)
  process.cancel(sup, "test over")
  return {
    restarted_twice = first ~= second and second ~= third,
    sup_exit = exit_text(wait_exit(events, sup)),
  }
end

return { main = function(scenario) return S[scenario]() end }
