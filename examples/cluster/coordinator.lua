-- The coordinator of examples/cluster (node a): `troupe run ... -x app:coordinator JOBS`.
--
-- Registers the cluster-wide name "coordinator"; every worker (wasm, on nodes b and c)
-- sends it `hello`. A worker that said hello is monitored and gets one job at a time
-- (`job {id, n}` → `result {id, n, primes, worker}`). When a worker goes away (its node
-- was killed: EXIT with UNAVAILABLE / noconnection), the job it held goes back to the
-- front of the queue. Returns a one-line summary once every job has a result.
local time = require("time")

local function node_of(pid) return pid:match("^{(.-)@") end

local function main(jobs)
  local total = tonumber(jobs) or 40
  assert(process.registry.register("coordinator", nil, process.registry.EVENTUAL))
  print("coordinator " .. process.pid() .. " waiting for workers")

  local queue = {}
  for i = 1, total do queue[i] = { id = i, n = 400000 + (i % 4) * 50000 } end
  local idle, busy = {}, {}
  local primes, per_node = {}, {}
  local done, requeued, lost = 0, 0, 0
  local inbox, events = process.inbox(), process.events()
  local deadline = time.after("120s")

  local function dispatch()
    while #idle > 0 and #queue > 0 do
      local w = table.remove(idle, 1)
      local job = table.remove(queue, 1)
      if process.send(w, "job", job) then
        busy[w] = job
      else
        table.insert(queue, 1, job) -- its node is gone; the EXIT follows
      end
    end
  end

  while done < total do
    local r = channel.select({ inbox:case_receive(), events:case_receive(), deadline:case_receive() })
    if r.channel == deadline then
      error(("timed out: %d of %d jobs done"):format(done, total))
    elseif r.channel == inbox then
      local msg = r.value
      local w = msg:from()
      if msg:topic() == "hello" then
        assert(process.monitor(w))
        print("worker " .. w .. " joined")
        table.insert(idle, w)
      elseif msg:topic() == "result" then
        local d = msg:payload():data()
        busy[w] = nil
        if primes[d.id] == nil then
          primes[d.id] = { n = d.n, primes = d.primes }
          done = done + 1
          per_node[node_of(w)] = (per_node[node_of(w)] or 0) + 1
          if done == total // 4 then print(("progress %d/%d"):format(done, total)) end
        end
        table.insert(idle, w)
      end
    elseif r.value.kind == process.event.EXIT then
      local w, why = r.value.from, r.value.result and r.value.result.error
      lost = lost + 1
      for i, x in ipairs(idle) do
        if x == w then table.remove(idle, i) break end
      end
      local job = busy[w]
      busy[w] = nil
      if job then
        table.insert(queue, 1, job)
        requeued = requeued + 1
      end
      print(("worker %s is gone (%s); %s"):format(w, tostring(why and why:kind()) .. ": " .. tostring(why),
        job and ("job " .. job.id .. " requeued") or "it held no job"))
    end
    dispatch()
  end

  -- Every job of the same n found the same count, whichever node ran it.
  local by_n = {}
  for id, r in pairs(primes) do
    assert(by_n[r.n] == nil or by_n[r.n] == r.primes, "job " .. id .. " disagrees")
    by_n[r.n] = r.primes
  end
  local nodes = {}
  for n, count in pairs(per_node) do table.insert(nodes, n .. "=" .. count) end
  table.sort(nodes)
  return ("all %d jobs done (%s); %d workers lost, %d jobs requeued; primes below 400000: %d")
    :format(total, table.concat(nodes, " "), lost, requeued, by_n[400000])
end

return { main = main }
