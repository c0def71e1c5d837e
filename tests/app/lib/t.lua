-- Assertion and waiting helpers for the tests of this application.
-- Every check raises `error(message, 0)` naming what was expected and what came, so a
-- failing test reports a precise reason.
local time = require("time")

local M = {}

local function show(v, depth)
  depth = depth or 0
  local ty = type(v)
  if ty == "string" then
    return string.format("%q", v)
  end
  if ty ~= "table" then
    return tostring(v)
  end
  if depth > 4 then
    return "{...}"
  end
  local keys = {}
  for k in pairs(v) do
    table.insert(keys, k)
  end
  table.sort(keys, function(a, b)
    return tostring(a) < tostring(b)
  end)
  local parts = {}
  for _, k in ipairs(keys) do
    table.insert(parts, "[" .. show(k, depth + 1) .. "]=" .. show(v[k], depth + 1))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

local function deep_eq(a, b)
  if type(a) ~= type(b) then
    return false
  end
  if type(a) ~= "table" then
    return a == b
  end
  for k, v in pairs(a) do
    if not deep_eq(v, b[k]) then
      return false
    end
  end
  for k in pairs(b) do
    if a[k] == nil then
      return false
    end
  end
  return true
end
M.deep_eq = deep_eq

function M.fail(msg)
  error(msg, 0)
end

-- `got` equals `want` (deep comparison for tables).
function M.eq(got, want, what)
  if not deep_eq(got, want) then
    error(string.format("%s: expected %s, got %s", what or "value", show(want), show(got)), 0)
  end
end

function M.ok(cond, what)
  if not cond then
    error(what or "assertion failed", 0)
  end
end

-- `text` is a string containing `part` (plain search).
function M.contains(text, part, what)
  if type(text) ~= "string" or not string.find(text, part, 1, true) then
    error(string.format("%s: expected %s to contain %s", what or "text", show(text), show(part)), 0)
  end
end

-- `err` is an error object of `kind` whose message contains every string in `parts`;
-- tostring(err) is its message. Returns the message.
function M.err(err, kind, parts, what)
  what = what or "error"
  if err == nil then
    error(what .. ": expected an error of kind " .. kind .. ", got nil", 0)
  end
  if type(err) ~= "userdata" then
    error(what .. ": expected an error object, got " .. show(err), 0)
  end
  local k, msg = err:kind(), err:message()
  if k ~= kind then
    error(string.format("%s: expected kind %s, got %s (%s)", what, kind, tostring(k), tostring(msg)), 0)
  end
  for _, p in ipairs(parts or {}) do
    M.contains(msg, p, what .. " message")
  end
  M.eq(tostring(err), msg, what .. ": tostring(err)")
  return msg
end

-- `fn(...)` raises an error whose text contains every string in `parts`.
function M.raises(parts, fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then
    error("expected an error containing " .. show(parts) .. ", but the call succeeded", 0)
  end
  for _, p in ipairs(parts) do
    M.contains(tostring(e), p, "raised error")
  end
  return tostring(e)
end

-- The next value from `ch` within `ms` milliseconds (default 3000), else fail.
function M.recv(ch, what, ms)
  local r = channel.select({ ch:case_receive(), time.after((ms or 3000) * time.MILLISECOND):case_receive() })
  if r.channel ~= ch then
    error("timed out waiting for " .. (what or "a value"), 0)
  end
  return r.value, r.ok
end

-- Everything `ch` yields within `ms` milliseconds.
function M.drain(ch, ms)
  local out = {}
  local deadline = time.after(ms * time.MILLISECOND)
  while true do
    local r = channel.select({ ch:case_receive(), deadline:case_receive() })
    if r.channel ~= ch or not r.ok then
      return out
    end
    table.insert(out, r.value)
  end
end

-- What `ch` holds right now, without waiting.
function M.pending(ch)
  local out = {}
  while true do
    local r = channel.select({ ch:case_receive(), default = true })
    if r.default or not r.ok then
      return out
    end
    table.insert(out, r.value)
  end
end

-- The next event of `kind` (and from `from`, if given) on `events`; others are skipped.
function M.event(events, kind, from, ms)
  local deadline = time.after((ms or 3000) * time.MILLISECOND)
  while true do
    local r = channel.select({ events:case_receive(), deadline:case_receive() })
    if r.channel ~= events then
      error("timed out waiting for a " .. kind .. " event from " .. tostring(from), 0)
    end
    local e = r.value
    if e.kind == kind and (from == nil or e.from == from) then
      return e
    end
  end
end

-- Wait until `name` is registered (e.g. by an auto-started service); its PID.
function M.wait_name(name, ms)
  local deadline = time.now():unix_nano() / time.MILLISECOND + (ms or 5000)
  while true do
    local pid = process.registry.lookup(name)
    if pid then
      return pid
    end
    if time.now():unix_nano() / time.MILLISECOND > deadline then
      error("name " .. name .. " was never registered", 0)
    end
    time.sleep("10ms")
  end
end

-- Milliseconds since `t0` (a time.now() value).
function M.ms_since(t0)
  return time.now():sub(t0):milliseconds()
end

-- A pattern matching exactly a PID of this node on `host`.
function M.pid_pattern(host)
  return "^{apptest@" .. host:gsub("%p", "%%%0") .. "|0x%x%x%x%x%x+}$"
end

-- An Actor object as a plain table `{id, meta}` (nil for none), for comparisons.
function M.actor_plain(a)
  return a and { id = a:id(), meta = a:meta() }
end

-- The sorted policy IDs of a Scope object (nil for none).
function M.scope_ids(scope)
  if scope == nil then
    return nil
  end
  local out = {}
  for _, p in ipairs(scope:policies()) do
    table.insert(out, p:id())
  end
  table.sort(out)
  return out
end

return M
