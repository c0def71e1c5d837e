-- One hostile (or borderline) copy per case, on a 1-worker host beside a ticker. Each case
-- returns (value, err) like the module it calls; main reports the error's kind and
-- message, what was delivered, and whether the ticker kept counting.
local time = require("time")
local json = require("json")
local funcs = require("funcs")

local function self_ref() local t = {}; t[1] = t; return t end
local function doubling() local t = {}; t[1] = t; t[2] = t; return t end
local function dag_bomb() local t = {}; for _ = 1, 64 do t = { t, t } end; return t end
local function deep(n) local t = {}; for _ = 2, n do t = { t } end; return t end
local function depth(t) local d = 0; while type(t) == "table" do d = d + 1; t = t[1] end; return d end
local function huge() return string.rep("x", 100 * 1024 * 1024) end
local function nested_cycle() local t = { a = { b = { c = {} } } }; t.a.b.c.back = t.a; return t end

local function send_self(v) return process.send(process.pid(), "x", v) end
local function encode(v) return json.encode(v) end
-- Builder calls whose bad input raises: run in a child (`app:raiser`), the exit error.
local raisers = {
  with_context_cycle = function() return process.with_context({ k = self_ref() }) end,
  spawner_with_context_bomb = function() return process.with_options({}):with_context({ k = dag_bomb() }) end,
  with_message_cycle = function() return process.with_context({}):with_message("x", self_ref()) end,
  funcs_new_with_context_cycle = function() return funcs.new():with_context({ k = self_ref() }) end,
}
local function raiser(case)
  raisers[case]()
  return "not refused"
end
local function exit_of(case)
  local events = process.events()
  local pid = process.spawn_monitored("app:raiser", nil, case)
  while true do
    local e = events:receive()
    if e.kind == process.event.EXIT and e.from == pid then return e.result.value, e.result.error end
  end
end

local cases = {
  send_self_ref = function() return send_self(self_ref()) end,
  send_doubling = function() return send_self(doubling()) end,
  send_nested_cycle = function() return send_self(nested_cycle()) end,
  send_dag_bomb = function() return send_self(dag_bomb()) end,
  send_deep_513 = function() return send_self(deep(513)) end,
  send_huge_string = function() return send_self(huge()) end,
  send_cycle_in_second_value = function() return process.send(process.pid(), "x", 1, self_ref()) end,
  json_self_ref = function() return encode(self_ref()) end,
  json_doubling = function() return encode(doubling()) end,
  json_dag_bomb = function() return encode(dag_bomb()) end,
  json_deep_513 = function() return encode(deep(513)) end,
  json_deep_129 = function() return encode(deep(129)) end,
  json_huge_string = function() return encode(huge()) end,
  json_decode_deep_513 = function() return json.decode(string.rep("[", 513) .. string.rep("]", 513)) end,
  spawn_args_cycle = function() return process.spawn("app:sink", nil, process.pid(), self_ref()) end,
  spawn_args_bomb = function() return process.spawn("app:sink", nil, process.pid(), dag_bomb()) end,
  spawner_args_cycle = function()
    return process.with_context({ k = 1 }):spawn("app:sink", nil, process.pid(), self_ref())
  end,
  exec_args_cycle = function() return process.exec("app:sink", nil, process.pid(), self_ref()) end,
  -- Builders raise on bad input; uncaught, the raise ends the process with the error.
  with_context_cycle = function() return exit_of("with_context_cycle") end,
  spawner_with_context_bomb = function() return exit_of("spawner_with_context_bomb") end,
  with_message_cycle = function() return exit_of("with_message_cycle") end,
  funcs_new_with_context_cycle = function() return exit_of("funcs_new_with_context_cycle") end,
  with_context_cycle_pcall = function()
    local ok, e = pcall(function() return process.with_context({ k = self_ref() }) end)
    if ok then return e end
    -- A raised Rust error reaches pcall as a message, not an error object.
    return nil, { kind = function() return "raised" end, message = tostring(e) }
  end,
  funcs_args_cycle = function() return funcs.call("app:echo", self_ref()) end,
  funcs_args_bomb = function() return funcs.call("app:echo", 1, dag_bomb()) end,
  funcs_async_args_cycle = function() return funcs.async("app:echo", self_ref()) end,
  funcs_result_cycle = function() return funcs.call("app:cyclic_result") end,
  funcs_result_bomb = function() return funcs.call("app:bomb_result") end,
  main_result_cycle = function() return process.exec("app:cyclic_result") end,
}

local function ask(ticker, counts)
  process.send(ticker, "count", process.pid())
  return counts:receive()
end

-- Messages that arrived in the inbox (topic "x" from a send, "started" from a sink).
local function delivered(inbox)
  local n = 0
  while true do
    local r = channel.select({ inbox:case_receive(), default = true })
    if r.default then return n end
    n = n + 1
  end
end

local function main(case)
  local counts = process.listen("count")
  local inbox = process.inbox()
  local ticker = process.spawn("app:ticker")
  local before = ask(ticker, counts)
  local f = cases[case]
  if not f then error("unknown case " .. tostring(case), 0) end
  local v, err = f()
  time.sleep("30ms")
  local after = ask(ticker, counts)
  time.sleep("30ms")
  local later = ask(ticker, counts)
  process.terminate(ticker)
  return {
    value = v == nil and "nil" or type(v),
    kind = err ~= nil and err:kind() or "none",
    message = type(err) == "table" and err.message or tostring(err),
    delivered = delivered(inbox),
    ticker_progressed = before < after and after < later,
  }
end

-- Accepted borderline copies: the receiver sees faithful copies.
local function faithful()
  local counts = process.listen("count")
  local ticker = process.spawn("app:ticker")
  local before = ask(ticker, counts)
  local inbox = process.inbox()
  local out = {}
  -- 512 levels: accepted by send and json.decode; json.encode takes 128 (as Wippy).
  out.send_512 = process.send(process.pid(), "deep", deep(512))
  out.depth_512 = depth(inbox:receive():payload():data())
  local text = json.encode(deep(128))
  out.json_128 = text ~= nil and #text == 2 * 128
  out.json_decode_512 = depth(json.decode(string.rep("[", 512) .. string.rep("]", 512)))
  -- Shared sub-tables that are not cycles are copied, each occurrence its own table.
  local shared = { 1, "two", { three = 3 } }
  out.send_shared = process.send(process.pid(), "shared", { a = shared, b = shared, list = { shared, shared } })
  local got = inbox:receive():payload():data()
  out.shared_distinct = got.a ~= got.b and got.list[1] ~= got.list[2] and got.a ~= got.list[1]
  out.shared_equal = json.encode(got.a) == json.encode(shared) and json.encode(got.b) == json.encode(shared)
    and got.a[3].three == 3 and got.list[2][2] == "two"
  got.a[3].three = 33
  out.shared_independent = got.b[3].three == 3 and shared[3].three == 3
  -- A 2^16-path DAG (16 doublings of a small table) fits the budget and is copied whole.
  local t = { "leaf" }
  for _ = 1, 16 do t = { t, t } end
  out.send_dag_16 = process.send(process.pid(), "dag", t)
  local d = inbox:receive():payload():data()
  local leaves = 0
  local function count(x) if x[1] == "leaf" then leaves = leaves + 1 else count(x[1]); count(x[2]) end end
  count(d)
  out.dag_16_leaves = leaves
  -- Mixed keys and odd numbers survive.
  out.send_mixed = process.send(process.pid(), "mixed", { [1] = "a", [2] = "b", [4] = "d", x = true, [1.5] = "f", neg = -0.0, inf = math.huge })
  local m = inbox:receive():payload():data()
  out.mixed = m[1] == "a" and m[2] == "b" and m[3] == nil and m[4] == "d" and m.x == true
    and m[1.5] == "f" and 1 / m.neg == -math.huge and m.inf == math.huge
  -- Functions and channels inside a payload become nil (SPEC §3.2), the rest is kept.
  out.send_fn = process.send(process.pid(), "fn", { f = print, ch = channel.new(), keep = 1 })
  local fnp = inbox:receive():payload():data()
  out.fn_nil = fnp.f == nil and fnp.ch == nil and fnp.keep == 1
  -- A 32 MiB string is within max_message (64 MiB).
  out.send_32mib = process.send(process.pid(), "big", string.rep("y", 32 * 1024 * 1024))
  out.big_len = #inbox:receive():payload():data()
  local later = ask(ticker, counts)
  out.ticker_progressed = later > before
  process.terminate(ticker)
  return out
end

-- The wasm payload path: a 512-deep payload goes to the wasm echo actor (MessagePack,
-- decoded by the guest) and its echo comes back through the host's bounded decoder whole;
-- a cycle is refused before it reaches the guest. (The decoder's refusals of guest bytes
-- are tested in crates/troupe-wasm: the committed guest cannot build a deeper payload, its
-- rmpv decoder stops at 512 levels.)
local function wasm()
  local actor = process.spawn("app:actor", nil, "echo")
  local echoes = process.listen("echo")
  local out = {}
  out.send_512 = process.send(actor, "d", deep(512))
  out.echo_512 = depth(echoes:receive())
  out.send_after = process.send(actor, "d", "after")
  out.next_echo = echoes:receive()
  out.cycle_to_wasm = tostring(select(2, process.send(actor, "d", self_ref())))
  process.send(actor, "stop")
  return out
end

return { main = main, faithful = faithful, wasm = wasm, raiser = raiser }
