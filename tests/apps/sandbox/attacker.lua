-- The attacker: each attack tries to change something shared with the other processes of
-- its worker and reports every attempt as {what, ok, err, own?}. An attempt must fail with
-- an error, or (own = true) reach only this process's own tables.
local time = require("time")
local funcs = require("funcs")
local errors = require("errors")
local security = require("security")
local lib = require("lib")

local pcall, rawset, rawget, rawequal, setmetatable, getmetatable, type, tostring, next, ipairs =
  pcall, rawset, rawget, rawequal, setmetatable, getmetatable, type, tostring, next, ipairs
local raw_getfenv, raw_setfenv = getfenv, setfenv
local isfrozen, insert = table.isfrozen, table.insert

local MODULES = {
  "process", "channel", "coroutine", "time", "json", "logger", "errors", "uuid", "funcs",
  "security", "ctx", "registry", "env", "os",
}
local LIBRARIES = { "string", "table", "math", "coroutine", "bit32", "utf8", "os", "debug", "buffer", "vector" }

local own_env = raw_getfenv(1)
local function evil() return true, "HIJACKED" end

local results = {}
local function try(what, f, ...)
  local ok, err = pcall(f, ...)
  results[#results + 1] = { what = what, ok = ok, err = (not ok) and tostring(err) or nil }
  return ok
end
-- An attempt that must succeed because it reaches only this process's own tables.
local function try_own(what, f, ...)
  local ok, err = pcall(f, ...)
  results[#results + 1] = { what = what, ok = ok, own = true, err = (not ok) and tostring(err) or nil }
  return ok
end
local function note(what, fields)
  fields.what = what
  results[#results + 1] = fields
end

-- Every table reachable from `root` through table values (not metatables), with a path.
local function tables_of(root, name)
  local list, seen = {}, {}
  local function walk(t, path)
    if seen[t] then return end
    seen[t] = true
    list[#list + 1] = { path, t }
    for k, v in next, t do
      if type(v) == "table" then
        walk(v, path .. "." .. tostring(k))
      end
    end
  end
  walk(root, name)
  return list
end

-- Assign, overwrite, rawset, setmetatable and table.insert on one table.
local function hit(path, t)
  try(path .. " assign", function() t.__attack = evil end)
  local k = next(t)
  if k ~= nil then
    try(path .. " overwrite " .. tostring(k), function() t[k] = evil end)
    try(path .. " clear " .. tostring(k), function() t[k] = nil end)
  end
  try(path .. " rawset", rawset, t, "__attack", evil)
  try(path .. " setmetatable", setmetatable, t, { __index = function() return evil end })
  try(path .. " table.insert", insert, t, evil)
end

local function env_report(what, env)
  local frozen = isfrozen(env)
  local own = rawequal(env, own_env)
  local wrote = pcall(function() env.pcall = evil end)
  local raw = pcall(rawset, env, "pcall", evil)
  if own then
    rawset(env, "pcall", nil)
  end
  note(what, { ok = wrote or raw, own = own, frozen = frozen })
end

local attacks = {}

-- Levels below are counted from `main`, as in the exploit of issue 11: an attack function
-- adds one frame and the pcall around getfenv/setfenv another, hence `level + 2`.
function attacks.getfenv_levels()
  for level = 0, 6 do
    local got, env = pcall(raw_getfenv, level == 0 and 0 or level + 2)
    if got then
      env_report("getfenv(" .. level .. ")", env)
    else
      note("getfenv(" .. level .. ")", { ok = false, err = tostring(env) })
    end
  end
end

local function builtins()
  local ch = channel.new(1)
  local fut = funcs.async("app:fn")
  return {
    { "print", print }, { "pcall", pcall }, { "require", require }, { "getfenv", raw_getfenv },
    { "setfenv", raw_setfenv }, { "error", error }, { "string.format", string.format },
    { "table.insert", table.insert }, { "coroutine.spawn", coroutine.spawn },
    { "coroutine.wrap", coroutine.wrap }, { "process.send", process.send },
    { "process.exec", process.exec }, { "time.sleep", time.sleep }, { "funcs.call", funcs.call },
    { "channel.select", channel.select }, { "ch.receive", ch.receive }, { "ch.send", ch.send },
    { "fut.result", fut.result }, { "caller.call", funcs.new().call },
    { "spawner.exec", process.with_options({}).exec }, { "errors.new", errors.new },
    { "security.actor", security.actor },
  }
end

function attacks.getfenv_builtins()
  for _, b in ipairs(builtins()) do
    env_report("getfenv(" .. b[1] .. ")", raw_getfenv(b[2]))
  end
end

function attacks.setfenv()
  local fake = setmetatable({ pcall = evil }, { __index = own_env })
  for level = 0, 6 do
    if level == 1 then
      -- Level 1 of a function of this process: allowed, and it stays local.
      local function mine()
        local ok = pcall(raw_setfenv, 2, fake)
        return ok and rawequal(raw_getfenv(1), fake)
      end
      note("setfenv(1) on an own function", { ok = mine(), own = true })
    else
      local ok, err = pcall(raw_setfenv, level == 0 and 0 or level + 2, fake)
      note("setfenv(" .. level .. ")", { ok = ok, err = (not ok) and tostring(err) or nil })
    end
  end
  for _, b in ipairs(builtins()) do
    try("setfenv(" .. b[1] .. ")", raw_setfenv, b[2], fake)
  end
  -- Every shared environment is frozen, so a frozen environment is never replaced.
  local function frozen_env() end
  raw_setfenv(frozen_env, table.freeze({}))
  try("setfenv(function with a frozen env)", raw_setfenv, frozen_env, fake)
end

function attacks.modules()
  for _, name in ipairs(MODULES) do
    for _, p in ipairs(tables_of(require(name), name)) do
      hit(p[1], p[2])
    end
  end
  try("time.sleep = nil", function() require("time").sleep = nil end)
  try("process.registry.lookup = evil", function() process.registry.lookup = evil end)
  try("process.event.EXIT = x", function() process.event.EXIT = "x" end)
end

function attacks.libraries()
  local G = getmetatable(own_env).__index
  hit("G", G)
  hit("_G", _G)
  for _, name in ipairs(LIBRARIES) do
    local t = G[name]
    if t ~= nil then
      for _, p in ipairs(tables_of(t, name)) do
        hit(p[1], p[2])
      end
    end
  end
  try("string.upper = nil", function() string.upper = nil end)
  try("math.pi = 3", function() math.pi = 3 end)
end

local function userdata()
  local ch = channel.new(1)
  local msg
  process.send(process.pid(), "t", { 1 })
  msg = process.inbox():receive()
  local timer = time.timer("1h")
  local list = {
    { "channel", ch }, { "case", ch:case_receive() }, { "timer", timer },
    { "time", time.now() }, { "duration", time.parse_duration("1s") },
    { "error", errors.new({kind = errors.INVALID, message = "x"}) }, { "message", msg }, { "payload", msg:payload() },
    { "future", funcs.async("app:fn") }, { "caller", funcs.new() },
    { "spawner", process.with_options({}) }, { "scope", security.new_scope() },
    { "named_scope", security.named_scope("all") }, { "policy", security.policy("app:everything") },
  }
  return list, timer
end

function attacks.metatables()
  local smt = getmetatable("")
  hit("string metatable", smt)
  try("string metatable __index = evil", function() smt.__index = { upper = evil } end)
  try("string metatable __add", function() smt.__add = evil end)
  local emt = getmetatable(own_env)
  hit("env metatable", emt)
  try("env metatable __index = {}", function() emt.__index = {} end)
  try("env metatable __newindex", function() emt.__newindex = evil end)
  try_own("setmetatable(env)", setmetatable, own_env, emt)
  local list, timer = userdata()
  for _, u in ipairs(list) do
    local mt = getmetatable(u[2])
    note("getmetatable(" .. u[1] .. ")", { ok = type(mt) == "table", type = type(mt) })
    try("setmetatable(" .. u[1] .. ")", setmetatable, u[2], {})
    try(u[1] .. ".field = evil", function() u[2].field = evil end)
  end
  timer:stop()
end

function attacks.rawset()
  local G = getmetatable(own_env).__index
  try("rawset(G)", rawset, G, "pcall", evil)
  try("rawset(_G)", rawset, _G, "pcall", evil)
  try("rawset(string metatable)", rawset, getmetatable(""), "__index", {})
  try("rawset(env metatable)", rawset, getmetatable(own_env), "__index", {})
  for _, name in ipairs(MODULES) do
    for _, p in ipairs(tables_of(require(name), name)) do
      try("rawset(" .. p[1] .. ")", rawset, p[2], "__attack", evil)
    end
  end
  for _, name in ipairs(LIBRARIES) do
    local t = G[name]
    if t ~= nil then
      try("rawset(" .. name .. ")", rawset, t, "__attack", evil)
    end
  end
end

function attacks.setmetatable()
  local G = getmetatable(own_env).__index
  local mt = { __index = function() return evil end, __newindex = function() end }
  try("setmetatable(G)", setmetatable, G, mt)
  try("setmetatable(_G)", setmetatable, _G, mt)
  try("setmetatable(string metatable)", setmetatable, getmetatable(""), mt)
  try("setmetatable(env metatable)", setmetatable, getmetatable(own_env), mt)
  for _, name in ipairs(MODULES) do
    for _, p in ipairs(tables_of(require(name), name)) do
      try("setmetatable(" .. p[1] .. ")", setmetatable, p[2], mt)
    end
  end
  for _, name in ipairs(LIBRARIES) do
    local t = G[name]
    if t ~= nil then
      try("setmetatable(" .. name .. ")", setmetatable, t, mt)
    end
  end
end

-- A library instance is this process's own: changes succeed and stay local.
function attacks.library()
  try_own("lib.value = 0", function() lib.value = 0 end)
  try_own("lib.nested.list[1] = 99", function() lib.nested.list[1] = 99 end)
  try_own("lib.added = true", function() lib.added = true end)
  try_own("lib.answer = evil", function() lib.answer = evil end)
  try_own("setmetatable(lib)", setmetatable, lib, { __index = function() return evil end })
  try_own("library env", function() raw_getfenv(lib.encode).json = nil end)
  note("require returns this process's instance", { ok = rawequal(require("lib"), lib), own = true })
end

-- Process-local globals are allowed and stay local.
function attacks.globals()
  try_own("leaked = 1", function() leaked = "attacker" end)
  try_own("getfenv(1).leaked2 = 1", function() raw_getfenv(1).leaked2 = 1 end)
  try_own("getfenv(0).leaked3 = 1", function() raw_getfenv(0).leaked3 = 1 end)
  note("globals are visible here", {
    ok = leaked == "attacker" and leaked2 == 1 and leaked3 == 1,
    own = true,
  })
end

local function main(attack)
  if attack == "inject" then
    -- The exploit of issue 11: `getfenv(2)` in main was the boot shim's environment.
    raw_getfenv(2).pcall = evil
    note("getfenv(2).pcall = evil", { ok = true, own = rawequal(raw_getfenv(2), own_env) })
    rawset(own_env, "pcall", nil)
    return results
  end
  local f = attacks[attack]
  if f == nil then
    error("unknown attack " .. tostring(attack))
  end
  f()
  return results
end

return { main = main }
