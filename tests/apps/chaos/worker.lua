-- A Lua worker of the chaos test (tests/chaos.rs). main(name) registers `name`, then:
--
-- * every tick it sends one numbered message (topic `n`) to each other Lua worker and one
--   numbered job (topic `job`, `{id = n, file = "tiny.txt"}`) to each wasm worker. Numbers
--   count per receiver PID from 1 and only a send that returned true uses one up, so each
--   (sender PID, receiver PID) stream must arrive as 1, 2, 3, …;
-- * it checks every stream it receives (messages from Lua peers, job results from wasm
--   peers) for that: any gap, repeat or reordering is a violation, sent to `chaos`;
-- * every 10 ticks it sends `chaos` its counts since the last report (topic `count`);
-- * `stop` (from chaos): stop sending; tell each Lua receiver the last number it was sent
--   (`fin`; FIFO per pair, so it arrives after every `n` before it); send `list` to each
--   wasm receiver (its `files` reply comes after every job result) and monitor it; reply
--   `stopped`;
-- * `report` (from chaos): once every wasm receiver answered `files` (or exited), reply
--   with what this worker knows: the streams it received, the fins it sent, the wasm
--   streams and what is left of its counts and violations;
-- * CANCEL (its supervisor stopping it): return.
local time = require("time")

local LUA_PEERS = { "lua_1", "lua_2", "lua_3", "lua_4" }
local WASM_PEERS = { "wasm_1", "wasm_2" }

local function main(name)
  assert(process.registry.register(name))
  local me = process.pid()
  local inbox, events = process.inbox(), process.events()
  local tick = time.ticker("10ms")
  local ticks = 0
  local sending = true

  local sent = {} -- Lua receiver PID -> last number sent to it
  local jobs = {} -- wasm receiver PID -> last job id sent to it
  local streams = {} -- Lua sender PID -> { last = n, fin = n? }
  local results = {} -- wasm PID -> last job id it replied to
  local fins = {} -- Lua receiver PID -> number in the `fin` sent to it
  local wasm = {} -- wasm PID -> { sent = n, got = n, state = "pending"|"complete"|"exited" }
  local pending = 0 -- wasm receivers whose `files` reply has not come yet
  local report_to = nil

  -- Not yet handed to chaos.
  local counts = { received = 0, sent = 0 }
  local violations = {}

  local function violation(text)
    table.insert(violations, name .. " (" .. me .. "): " .. text)
  end

  local function flush()
    if counts.received == 0 and counts.sent == 0 and #violations == 0 then
      return
    end
    if process.send("chaos", "count", { received = counts.received, sent = counts.sent, violations = violations }) then
      counts = { received = 0, sent = 0 }
      violations = {}
    end
  end

  -- Record number `n` of the stream from `from` in `last` (a PID -> number table).
  local function accept(last, from, n, what)
    counts.received += 1
    if from == nil or from == "" then
      violation(what .. " " .. tostring(n) .. " without a sender")
      return
    end
    local prev = last[from] or 0
    if n ~= prev + 1 then
      violation(what .. " " .. tostring(n) .. " from " .. from .. " after " .. prev)
    end
    last[from] = n
  end

  local function send_round()
    for _, peer in ipairs(LUA_PEERS) do
      if peer ~= name then
        local pid = process.registry.lookup(peer)
        if pid then
          local n = (sent[pid] or 0) + 1
          if process.send(pid, "n", n) then
            sent[pid] = n
            counts.sent += 1
          end
        end
      end
    end
    for _, peer in ipairs(WASM_PEERS) do
      local pid = process.registry.lookup(peer)
      if pid then
        local n = (jobs[pid] or 0) + 1
        if process.send(pid, "job", { id = n, file = "tiny.txt" }) then
          jobs[pid] = n
          counts.sent += 1
        end
      end
    end
  end

  local function stop()
    if not sending then
      return
    end
    sending = false
    tick:stop()
    for pid, n in pairs(sent) do
      if process.send(pid, "fin", n) then
        fins[pid] = n
      end
    end
    for pid, n in pairs(jobs) do
      if process.send(pid, "list") and process.monitor(pid) then
        wasm[pid] = { sent = n, got = 0, state = "pending" }
        pending += 1
      else
        wasm[pid] = { sent = n, got = results[pid] or 0, state = "exited" }
      end
    end
  end

  local function wasm_done(pid, state)
    local w = wasm[pid]
    if w == nil or w.state ~= "pending" then
      return
    end
    w.state = state
    w.got = results[pid] or 0
    pending -= 1
    if state == "complete" then
      process.unmonitor(pid)
      if w.got ~= w.sent then
        violation("wasm " .. pid .. " replied to " .. w.got .. " of " .. w.sent .. " jobs")
      end
    end
  end

  local function maybe_report()
    if report_to == nil or pending > 0 then
      return
    end
    process.send(report_to, "report", {
      name = name,
      pid = me,
      streams = streams,
      fins = fins,
      wasm = wasm,
      received = counts.received,
      sent = counts.sent,
      violations = violations,
    })
    counts = { received = 0, sent = 0 }
    violations = {}
    report_to = nil
  end

  local function on_message(m)
    local topic, from = m:topic(), m:from()
    -- As Wippy: a message sent with no value (`stop`, `report`) has no payload.
    local p = m:payload()
    local data = p and p:data()
    if topic == "n" then
      local s = streams[from]
      if s == nil then
        s = { last = 0 }
        streams[from] = s
      end
      counts.received += 1
      if data ~= s.last + 1 then
        violation("message " .. tostring(data) .. " from " .. from .. " after " .. s.last)
      end
      s.last = data
    elseif topic == "fin" then
      local s = streams[from] or { last = 0 }
      streams[from] = s
      s.fin = data
      if s.last ~= data then
        violation("fin " .. tostring(data) .. " from " .. from .. " but received up to " .. s.last)
      end
    elseif topic == "result" then
      accept(results, from, data.id, "job result")
    elseif topic == "files" then
      wasm_done(from, "complete")
      maybe_report()
    elseif topic == "failed" then
      violation("job " .. tostring(data.id) .. " failed on " .. tostring(from) .. ": " .. tostring(data.error))
    elseif topic == "stop" then
      stop()
      process.send(from, "stopped", name)
    elseif topic == "report" then
      report_to = from
      maybe_report()
    else
      violation("unexpected topic " .. topic)
    end
  end

  while true do
    local cases = { inbox:case_receive(), events:case_receive() }
    if sending then
      table.insert(cases, tick:channel():case_receive())
    end
    local r = channel.select(cases)
    if r.channel == events then
      local e = r.value
      if e.kind == process.event.CANCEL then
        return name .. " stopped"
      elseif e.kind == process.event.EXIT then
        wasm_done(e.from, "exited")
        maybe_report()
      end
    elseif r.channel == inbox then
      on_message(r.value)
    else
      send_round()
      ticks += 1
      if ticks % 10 == 0 then
        flush()
      end
    end
  end
end

return { main = main }
