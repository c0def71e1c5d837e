-- The coordinator: asks a worker for the file list, hands out one job per file (at most
-- two in flight per worker), collects the results, and terminates worker-2 once a third
-- of the jobs are done to show the pool's supervisor at work. Jobs held by a worker that
-- exits are requeued. When all are done it logs a summary and answers `subscribe`
-- requests with it until cancelled.
local logger = require("logger")
local time = require("time")

local WORKERS = { "worker-1", "worker-2", "worker-3" }
local IN_FLIGHT = 2

local function await_name(name)
  for _ = 1, 500 do
    local pid = process.registry.lookup(name)
    if pid then return pid end
    time.sleep("10ms")
  end
  error(name .. " never registered")
end

local function main()
  assert(process.registry.register("coordinator"))
  local inbox = process.inbox()
  local events = process.events()

  process.send(await_name("worker-1"), "list", true)
  local files
  local early = {}
  while not files do
    local m = inbox:receive()
    if m:topic() == "files" then files = m:payload():data() else table.insert(early, m) end
  end
  logger:info("coordinator has work", { files = #files })

  local queue, outstanding, per_pid = {}, {}, {}
  for i = 1, #files do table.insert(queue, i) end
  local results, done, requeued, killed = {}, 0, 0, false
  local monitored, subscribers = {}, {}
  for _, m in ipairs(early) do
    if m:topic() == "subscribe" then table.insert(subscribers, m:from()) end
  end

  local function dispatch()
    for _, name in ipairs(WORKERS) do
      local pid = process.registry.lookup(name)
      if pid then
        if not monitored[pid] then process.monitor(pid); monitored[pid] = true end
        while #queue > 0 and (per_pid[pid] or 0) < IN_FLIGHT do
          local id = table.remove(queue, 1)
          outstanding[id] = pid
          per_pid[pid] = (per_pid[pid] or 0) + 1
          process.send(pid, "job", { id = id, file = files[id] })
        end
      end
    end
  end

  dispatch()
  while done < #files do
    local cases = { inbox:case_receive(), events:case_receive() }
    if #queue > 0 then table.insert(cases, time.after("20ms"):case_receive()) end
    local r = channel.select(cases)
    if r.channel == inbox then
      local m = r.value
      local topic = m:topic()
      if topic == "result" or topic == "failed" then
        local v = m:payload():data()
        local pid = outstanding[v.id]
        if pid ~= nil and results[v.id] == nil then
          outstanding[v.id] = nil
          per_pid[pid] = per_pid[pid] - 1
          results[v.id] = v
          done += 1
          if topic == "failed" then
            logger:error("job failed", { file = v.file, error = v.error })
          else
            logger:info("job done", { file = v.file, worker = v.worker, words = v.words })
          end
        end
        if not killed and done >= #files // 3 then
          killed = true
          local victim = process.registry.lookup("worker-2")
          logger:warn("terminating worker-2 on purpose", { pid = victim })
          process.terminate(victim)
        end
      elseif topic == "subscribe" then
        table.insert(subscribers, m:from())
      end
    elseif r.channel == events then
      local e = r.value
      if e.kind == process.event.CANCEL then return "cancelled" end
      if e.kind == process.event.EXIT then
        monitored[e.from] = nil
        per_pid[e.from] = nil
        local n = 0
        for id, pid in pairs(outstanding) do
          if pid == e.from then
            outstanding[id] = nil
            table.insert(queue, id)
            n += 1
          end
        end
        requeued += n
        logger:warn("worker exited; jobs requeued", { pid = e.from, requeued = n, reason = tostring(e.result.error) })
      end
    end
    dispatch()
  end

  local summary = { files = #files, lines = 0, words = 0, requeued = requeued, by_worker = {}, top = {} }
  local freq = {}
  for _, v in pairs(results) do
    if v.words then
      summary.lines += v.lines
      summary.words += v.words
      summary.by_worker[v.worker] = (summary.by_worker[v.worker] or 0) + 1
      for _, pair in ipairs(v.top) do freq[pair[1]] = (freq[pair[1]] or 0) + pair[2] end
    end
  end
  local words = {}
  for w in pairs(freq) do table.insert(words, w) end
  table.sort(words, function(a, b) return freq[a] > freq[b] or (freq[a] == freq[b] and a < b) end)
  for i = 1, math.min(5, #words) do table.insert(summary.top, { words[i], freq[words[i]] }) end
  logger:info("all jobs done", { files = summary.files, words = summary.words, lines = summary.lines, requeued = requeued })
  for _, s in ipairs(subscribers) do process.send(s, "summary", summary) end

  while true do
    local r = channel.select { inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "done" end
    elseif r.value:topic() == "subscribe" then
      process.send(r.value:from(), "summary", summary)
    end
  end
end

return { main = main }
