-- The object-graph walk (SPEC §3.6 Isolation): from inside a process, visit everything
-- reachable from its code and report every table that is writable but not this process's
-- own. Reachable: the environment and its metatable chain (the globals), every module
-- `require` returns (all built-ins and a library.lua), sub-tables, keys, metatables of
-- tables, strings, userdata and other values, the environment of every reachable function
-- (getfenv) and of every stack level, methods of userdata of every kind the modules
-- create, and tables that module functions return.
--
-- "Own" tables: the environment, what this walk creates, the library instance's tables
-- (it lists them in `own`), and tables a module function returns afresh (two calls give
-- two distinct tables; a function that handed out one shared table would fail here).
-- Upvalues: `debug` must have nothing but `traceback`, and no reachable table may hold an
-- upvalue/local/registry accessor, so no function's upvalues are reachable from Lua.
local time = require("time")
local json = require("json")
local errors = require("errors")
local funcs = require("funcs")
local security = require("security")
local registry = require("registry")
local ctx = require("ctx")
local lib = require("lib")

local pcall, rawset, rawget, rawequal, getmetatable, type, tostring, next, ipairs =
  pcall, rawset, rawget, rawequal, getmetatable, type, tostring, next, ipairs
local isfrozen = table.isfrozen

local MODULES = {
  "process", "channel", "coroutine", "time", "json", "logger", "errors", "uuid", "funcs",
  "security", "ctx", "registry", "env", "os", "lib",
}
-- Every method name of every userdata kind the modules create (metatables are locked, so
-- the walk reaches methods by name).
local METHODS = {
  "receive", "send", "close", "is_closed", "len", "case_receive", "case_send", "topic", "from",
  "payload", "actor", "data", "with_context", "with_actor", "with_scope", "kind", "message",
  "response", "is_complete", "error", "cancel", "result", "with_options", "call", "async",
  "policies", "contains", "with", "without", "id", "groups", "effect", "with_name",
  "with_message", "spawn", "spawn_linked", "spawn_monitored", "spawn_linked_monitored", "exec",
  "milliseconds", "seconds", "nanoseconds", "microseconds", "minutes", "hours", "unix",
  "unix_nano", "format", "format_rfc3339", "sub", "add", "add_date", "after", "before", "equal",
  "date", "clock", "year", "month", "day", "hour", "minute", "second", "nanosecond", "weekday",
  "year_day", "is_zero", "in_location", "location", "utc", "in_local", "round", "truncate",
  "string", "channel", "stop", "reset", "__index", "__newindex", "__metatable", "__namecall",
}
local ACCESSORS = {
  getupvalue = true, setupvalue = true, getlocal = true, setlocal = true, getinfo = true,
  getregistry = true, sethook = true, gethook = true, upvalueid = true, upvaluejoin = true,
}
local PROBE = {}

local own_env = getfenv(1)
local owned = {}
local seen = {}
local queue = {}
local problems = {}
local accessors = {}
local counts = { tables = 0, functions = 0, userdata = 0, frozen = 0, roots = 0 }
local roots_seen = {}

for _, t in ipairs({ own_env, owned, seen, queue, problems, accessors, counts, roots_seen, PROBE }) do
  owned[t] = true
end
for _, t in ipairs(lib.own) do
  owned[t] = true
end

local function push(v, path)
  queue[#queue + 1] = { v, path }
end
local function root(name, v)
  counts.roots += 1
  roots_seen[#roots_seen + 1] = name
  push(v, name)
end

-- Two results of the same call: tables that differ are fresh, so this process owns them.
local function fresh(name, a, b)
  if type(a) == "table" and type(b) == "table" and not rawequal(a, b) then
    owned[a] = true
    for k, v in next, a do
      fresh(name, v, rawget(b, k))
    end
  end
end
local function result(name, f, ...)
  local a = f(...)
  local b = f(...)
  fresh(name, a, b)
  root(name, a)
  return a
end

local function visit(v, path)
  local t = type(v)
  if t == "table" then
    if seen[v] then return end
    seen[v] = true
    counts.tables += 1
    if isfrozen(v) then
      counts.frozen += 1
    elseif not owned[v] then
      if pcall(rawset, v, PROBE, true) then
        rawset(v, PROBE, nil)
        problems[#problems + 1] = path .. " (" .. tostring(v) .. ")"
      end
    end
    for k, x in next, v do
      if type(k) == "string" and ACCESSORS[k] and type(x) == "function" then
        accessors[#accessors + 1] = path .. "." .. k
      end
      push(k, path .. "[key " .. tostring(k) .. "]")
      push(x, path .. "." .. tostring(k))
    end
    local mt = getmetatable(v)
    if mt ~= nil then
      push(mt, path .. "<mt>")
    end
  elseif t == "function" then
    if seen[v] then return end
    seen[v] = true
    counts.functions += 1
    local ok, env = pcall(getfenv, v)
    if ok then
      push(env, path .. "<env>")
    end
  elseif t == "userdata" or t == "thread" or t == "buffer" or t == "vector" then
    if seen[v] then return end
    seen[v] = true
    if t == "userdata" then
      counts.userdata += 1
      for _, name in ipairs(METHODS) do
        local ok, m = pcall(function() return v[name] end)
        if ok and m ~= nil then
          push(m, path .. ":" .. name)
        end
      end
    end
    local mt = getmetatable(v)
    if mt ~= nil then
      push(mt, path .. "<mt>")
    end
  end
end

local function main()
  -- The environment (own) and, through its metatable, the globals.
  root("env", own_env)
  root("_G", _G)
  -- Every stack level's environment, 0 (the thread's globals) included.
  for level = 0, 10 do
    local ok, env = pcall(getfenv, level == 0 and 0 or level + 1)
    if ok then
      root("getfenv(" .. level .. ")", env)
    end
  end
  -- Every module.
  for _, name in ipairs(MODULES) do
    root("require." .. name, require(name))
  end
  -- Metatables of every kind of value.
  root("string metatable", getmetatable(""))
  root("number metatable", getmetatable(1))
  root("boolean metatable", getmetatable(true))
  root("function metatable", getmetatable(print))
  local co = coroutine.create(function() time.sleep(0) end)
  root("thread", co)
  -- A user coroutine that calls an async function yields the runtime's pending marker.
  local _, marker = coroutine.resume(co)
  root("async marker", marker)
  if buffer then root("buffer", buffer.create(4)) end
  if vector then root("vector", vector.create(1, 2, 3)) end

  -- Userdata of every kind the modules create.
  local ch = channel.new(1)
  root("channel", ch)
  root("case", ch:case_receive())
  local timer = time.timer("1h")
  root("timer", timer)
  root("timer channel", timer:channel())
  local ticker = time.ticker("1h")
  root("ticker", ticker)
  root("after", time.after("1h"))
  root("time", time.now())
  root("duration", time.parse_duration("1s"))
  root("since", time.now():sub(time.now()))
  root("location", time.load_location("Europe/Berlin"))
  root("utc", time.utc)
  root("fixed zone", time.fixed_zone("X", 3600))
  root("error", errors.new({kind = errors.INVALID, message = "x"}))
  root("inbox", process.inbox())
  root("listen", process.listen("walk"))
  root("events", process.events())
  process.send(process.pid(), "t", { a = { 1 } })
  process.send(process.pid(), "t", { a = { 1 } })
  local m1 = process.inbox():receive()
  local m2 = process.inbox():receive()
  root("message", m1)
  root("payload", m1:payload())
  local d1, d2 = m1:payload():data(), m2:payload():data()
  fresh("payload data", d1, d2)
  root("payload data", d1)
  local fut = funcs.async("app:fn")
  root("future", fut)
  root("future response", fut:response())
  local r1, r2 = fut:result(), fut:result()
  fresh("future result", r1, r2)
  root("future result", r1)
  root("caller", funcs.new():with_options({ timeout = "1s" }))
  root("spawner", process.with_options({}):with_name("walk-child"))
  root("scope", security.new_scope())
  root("named scope", security.named_scope("all"))
  root("policy", security.policy("app:everything"))
  -- Tables module functions return.
  result("process.get_options", process.get_options)
  result("security.new_actor", security.new_actor, "x")
  result("registry.get", registry.get, "app:walk")
  result("registry.find", registry.find, { kind = "process.lua" })
  result("ctx.all", ctx.all)
  result("json.decode", json.decode, '{"a":{"b":[1]}}')
  result("channel.select", channel.select, { default = true })
  process.spawn_monitored("app:child", "app:single")
  process.spawn_monitored("app:child", "app:single")
  local e1 = process.events():receive()
  local e2 = process.events():receive()
  fresh("exit event", e1, e2)
  root("exit event", e1)

  -- Walk.
  local i = 1
  while i <= #queue do
    local item = queue[i]
    queue[i] = false
    visit(item[1], item[2])
    i += 1
  end
  timer:stop()
  ticker:stop()

  local debug_keys = {}
  for k in next, debug do
    debug_keys[#debug_keys + 1] = tostring(k)
  end
  table.sort(debug_keys)
  return {
    problems = problems,
    accessors = accessors,
    debug_keys = debug_keys,
    counts = counts,
    roots = roots_seen,
  }
end

return { main = main }
