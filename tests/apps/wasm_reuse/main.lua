-- Drives tests/wasm_reuse.rs: each scenario returns what Lua saw.
local funcs = require("funcs")

-- One call of `id`: its values, or the error text.
local function call(id, ...)
  local v, err = funcs.call(id, ...)
  if v == nil then return tostring(err) end
  return v
end

-- `n` fresh instances in a row, each reporting a clean start: true if all did.
local function all_clean(id, n)
  for _ = 1, n do
    local r = call(id, 0)
    if type(r) ~= "table" or r[1] ~= 7 or r[2] ~= 0 or r[3] ~= 1 or r[4] ~= 0 or r[5] ~= 1 then
      return r
    end
  end
  return true
end

local scenarios = {}

-- A fresh instance (inline pool) after each kind of hostile predecessor.
function scenarios.slots()
  local r = {}
  r.first = call("app:scribble", 0)
  r.after_scribble = all_clean("app:scribble", 20)
  r.trap = call("app:scribble", 1)
  r.after_trap = call("app:scribble", 0)
  r.bomb = call("app:scribble", 2)
  r.after_bomb = call("app:scribble", 0)
  r.spin = call("app:scribble", 3)
  r.after_spin = call("app:scribble", 0)
  r.still_clean = all_clean("app:scribble", 20)
  return r
end

-- A lazy pool: the warm instance keeps its own state, a poisoned one is replaced.
function scenarios.lazy()
  local r = {}
  r.first = call("app:scribble_lazy", 0)
  r.second = call("app:scribble_lazy", 0)
  r.trap = call("app:scribble_lazy", 1)
  r.after_trap = call("app:scribble_lazy", 0)
  r.bomb = call("app:scribble_lazy", 2)
  r.after_bomb = call("app:scribble_lazy", 0)
  r.spin = call("app:scribble_lazy", 3)
  r.after_spin = call("app:scribble_lazy", 0)
  return r
end

-- Fuel is re-armed for every call a warm store serves.
function scenarios.fuel()
  return {
    call("app:burn", 10000), call("app:burn", 10000), call("app:burn", 10000),
    call("app:burn", 20000), call("app:burn", 10000), call("app:burn", 10000),
  }
end

-- wasm actors after a memory bomb, a spinner killed by max_execution_ms, a trap and an
-- oversized send: each later echo actor answers, in a reused slot.
function scenarios.actors()
  local r = {}
  local events = process.events()
  local function exit_of(mode)
    local pid = process.spawn_monitored("app:actor", nil, mode)
    while true do
      local e = events:receive()
      if e.kind == process.event.EXIT and e.from == pid then
        if e.result.error ~= nil then return "error: " .. tostring(e.result.error) end
        return "ok: " .. tostring(e.result.value)
      end
    end
  end
  r.grow = exit_of("grow")
  r.spin = exit_of("spin")
  local echoes = process.listen("echo")
  local answered = 0
  for i = 1, 50 do
    local a = process.spawn("app:actor", nil, "echo")
    process.send(a, "n", i)
    if echoes:receive() == i then answered = answered + 1 end
    process.send(a, "stop")
  end
  r.echoes = answered
  return r
end

return { main = function(name) return scenarios[name]() end }
