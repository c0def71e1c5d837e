-- The process's resume loop (ARCHITECTURE.md, "Blocking calls"): a blocking call parks an
-- operation and yields; these are the edges of that protocol.
local t = require("t")
local time = require("time")

local function spin(n)
  local x = 0
  for i = 1, n do x = x + i % 7 end
  return x
end

local function main()
  -- 1. Where nothing can yield (a table.sort comparator), a blocking call raises; what it
  --    parked is dropped, and it takes no value meant for a later receive.
  local ch = channel.new(1)
  local ok, err = pcall(table.sort, { 3, 2, 1 }, function(a, b)
    ch:receive()
    return a < b
  end)
  t.eq(ok, false, "receive inside a sort comparator")
  t.contains(tostring(err), "yield", "the error names the yield")
  ch:send("later")
  t.eq(ch:receive(), "later", "the value goes to the receive that asked for it")
  local ok2 = pcall(string.gsub, "ab", ".", function() time.sleep("1ms") end)
  t.eq(ok2, false, "sleep inside a gsub callback")

  -- 2. Values and errors reach the coroutine that blocked, through user coroutines.
  local inner = coroutine.wrap(function()
    local a = channel.new()
    coroutine.spawn(function() a:send(41) end)
    local v = a:receive()
    local closed = channel.new()
    coroutine.spawn(function() closed:close() end)
    local okc, e = pcall(function() closed:send(1) end)
    local nothing = select("#", time.sleep("1ms"))
    return v + 1, okc, tostring(e), nothing
  end)
  local v, okc, e, nothing = inner()
  t.eq(v, 42, "a value received inside coroutine.wrap")
  t.eq(okc, false, "send on a channel closed while blocked raises")
  t.contains(e, "closed channel", "its error")
  t.eq(nothing, 0, "sleep returns no values")

  -- 3. Many coroutines blocking and waking while the process is preempted (busy work
  --    between sends): every receive gets its own value, none gets nothing.
  local workers, rounds = 8, 300
  local chans, done = {}, channel.new(workers)
  for w = 1, workers do
    chans[w] = channel.new()
    coroutine.spawn(function()
      local sum, seen = 0, 0
      local wrap = coroutine.wrap(function()
        for _ = 1, rounds do
          local x = chans[w]:receive()
          if x == nil then error("a receive returned nothing", 0) end
          sum = sum + x
          seen = seen + 1
          spin(200)
        end
      end)
      wrap()
      done:send({ w = w, sum = sum, seen = seen })
    end)
  end
  for r = 1, rounds do
    for w = 1, workers do
      chans[w]:send(r)
      if (r + w) % 5 == 0 then spin(2000) end
    end
  end
  local total = 0
  for _ = 1, workers do
    local d = t.recv(done, "a worker's report", 20000)
    t.eq(d.seen, rounds, "values seen by worker " .. d.w)
    total = total + d.sum
  end
  t.eq(total, workers * rounds * (rounds + 1) / 2, "every value arrived once")
  return true
end

return { main = main }
