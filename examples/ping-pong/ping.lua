-- ping: on {n=, reply_to=} runs n round trips with the service registered as "pong"
-- and replies with the count and the elapsed time.
local logger = require("logger")
local time = require("time")

local function round_trips(n: number): number
  local replies = process.listen("pong")
  for i = 1, n do
    local ok, err = process.send("pong", "ping", i)
    if not ok then error("pong is gone: " .. tostring(err)) end
    local v = replies:receive()
    if v ~= i then error(string.format("out of order: sent %d, got %s", i, tostring(v))) end
  end
  return n
end

local function main()
  assert(process.registry.register("ping"))
  local jobs = process.listen("start")
  local events = process.events()
  while true do
    local r = channel.select { jobs:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "stopped" end
    else
      local job = r.value
      local t0 = time.now()
      local done = round_trips(job.n)
      local elapsed = time.now():sub(t0):milliseconds()
      logger:info("round trips done", { n = done, elapsed_ms = elapsed })
      process.send(job.reply_to, "done", { rounds = done, elapsed_ms = elapsed })
    end
  end
end

return { main = main }
