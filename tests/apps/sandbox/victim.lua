-- The victim: a snapshot of everything it shares with other processes on the worker, and
-- checks that the shared functions still behave. Run before and after an attack; the two
-- snapshots must be equal (shared objects keep their addresses, so a replaced function or
-- table shows too).
local time = require("time")
local json = require("json")
local errors = require("errors")
local funcs = require("funcs")
local security = require("security")
local lib = require("lib")

local tostring, type, next, rawget, pcall, getmetatable = tostring, type, next, rawget, pcall, getmetatable
local sort, concat = table.sort, table.concat

local MODULES = {
  "process", "channel", "coroutine", "time", "json", "logger", "errors", "uuid", "funcs",
  "security", "ctx", "registry", "env", "os",
}

local own_env = getfenv(1)

local function snapshot(roots)
  local out, seen = {}, {}
  local function walk(v, path)
    local t = type(v)
    if t == "table" then
      if rawequal(v, own_env) then
        out[#out + 1] = path .. " = <own env>"
        v = getmetatable(v)
        path = path .. "<mt>"
        if v == nil then return end
      end
      if seen[v] then
        out[#out + 1] = path .. " = @" .. seen[v]
        return
      end
      seen[v] = path
      out[#out + 1] = path .. " = " .. tostring(v) .. (table.isfrozen(v) and " frozen" or " writable")
      local keys = {}
      for k in next, v do
        keys[#keys + 1] = k
      end
      sort(keys, function(a, b)
        return type(a) .. tostring(a) < type(b) .. tostring(b)
      end)
      for _, k in ipairs(keys) do
        walk(rawget(v, k), path .. "." .. tostring(k))
      end
      local mt = getmetatable(v)
      if mt ~= nil then
        walk(mt, path .. "<mt>")
      end
    elseif t == "function" then
      out[#out + 1] = path .. " = " .. tostring(v)
      local ok, env = pcall(getfenv, v)
      if ok and not rawequal(env, own_env) then
        walk(env, path .. "<env>")
      end
    else
      out[#out + 1] = path .. " = " .. t .. ":" .. tostring(v)
    end
  end
  for _, r in ipairs(roots) do
    walk(r[2], r[1])
  end
  return concat(out, "\n"), #out
end

local function main()
  local ch = channel.new(1)
  local fut = funcs.async("app:fn")
  local roots = {
    { "env_meta", getmetatable(own_env) },
    { "_G", _G },
    { "string_mt", getmetatable("") },
    { "ch.receive", ch.receive },
    { "ch.send", ch.send },
    { "fut.result", fut.result },
    { "caller.call", funcs.new().call },
    { "spawner.exec", process.with_options({}).exec },
    { "mt(channel)", getmetatable(ch) },
    { "mt(future)", getmetatable(fut) },
    { "mt(error)", getmetatable(errors.new("x")) },
    { "mt(time)", getmetatable(time.now()) },
    { "mt(scope)", getmetatable(security.new_scope()) },
  }
  for _, name in ipairs(MODULES) do
    roots[#roots + 1] = { "require." .. name, require(name) }
  end
  for level = 2, 6 do
    local ok, env = pcall(getfenv, level + 1)
    if ok then
      roots[#roots + 1] = { "getfenv(" .. level .. ")", env }
    end
  end
  local ok0, env0 = pcall(getfenv, 0)
  if ok0 then
    roots[#roots + 1] = { "getfenv(0)", env0 }
  end
  local snap, n = snapshot(roots)

  local lookup, lookup_err = process.registry.lookup("nobody")
  local c = channel.new(1)
  c:send("v")
  local checks = {
    ran = true,
    sleep_ok = (pcall(time.sleep, 0)),
    lookup_nil = lookup == nil and lookup_err ~= nil,
    upper = string.upper("ok"),
    format = string.format("%d-%s", 7, "x"),
    pcall_real = select(2, pcall(function() return "real" end)),
    pcall_same = rawequal(getfenv(2).pcall, pcall),
    globals_nil = leaked == nil and leaked2 == nil and leaked3 == nil and rawget(_G, "leaked2") == nil,
    event_exit = process.event.EXIT,
    json = json.encode({ a = 1 }),
    error_kind = errors.new({kind = errors.INVALID, message = "x"}):kind(),
    channel = c:receive(),
    math_pi = math.pi > 3.14,
    lib_value = lib.value,
    lib_list1 = lib.nested.list[1],
    lib_answer = lib.answer(),
    lib_added_nil = lib.added == nil,
    lib_meta_nil = getmetatable(lib) == nil,
    lib_encode = lib.encode({ 1 }),
    fut = (fut:result()).answer,
  }
  return { snapshot = snap, lines = n, checks = checks }
end

return { main = main }
