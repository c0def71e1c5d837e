-- main: the command run by `troupe run examples/ping-pong -x app:main [N]`.
local time = require("time")

local function main(n)
  n = tonumber(n) or 1000
  -- The services start alongside this command; wait until ping has registered.
  local ping
  for _ = 1, 200 do
    ping = process.registry.lookup("ping")
    if ping then break end
    time.sleep("10ms")
  end
  if not ping then return nil, "ping service did not start" end
  process.send("ping", "start", { n = n, reply_to = process.pid() })
  local result = process.listen("done"):receive()
  local per_trip = result.elapsed_ms * 1000 / result.rounds
  -- The result is what `-x` prints on stdout (`print` is a log record, as Wippy).
  return string.format("%d round trips between ping and pong in %.2f ms (%.2f us per round trip)",
    result.rounds, result.elapsed_ms, per_trip)
end

return { main = main }
