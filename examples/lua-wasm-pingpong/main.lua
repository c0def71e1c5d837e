-- main: `troupe run examples/lua-wasm-pingpong -x app:main [N]`.
local time = require("time")

local function main(n)
  n = tonumber(n) or 1000
  -- The wasm service starts alongside this command; wait until it has registered.
  local pong
  for _ = 1, 200 do
    pong = process.registry.lookup("pong")
    if pong then break end
    time.sleep("10ms")
  end
  if not pong then return nil, "the wasm pong service did not start" end
  local replies = process.listen("pong")
  local me = process.pid()
  local t0 = time.now()
  for i = 1, n do
    process.send(pong, "ping", { n = i, text = "ping " .. i })
    local r = replies:receive()
    if r.n ~= i or r.text ~= "PING " .. i then
      return nil, string.format("out of order or wrong: sent %d, got %s %s", i, tostring(r.n), tostring(r.text))
    end
  end
  local ms = time.now():sub(t0):milliseconds()
  -- The result is what `-x` prints on stdout (`print` is a log record, as Wippy).
  return string.format("%d round trips between Lua and wasm in %.2f ms (%.2f us per round trip)",
    n, ms, ms * 1000 / n)
end

return { main = main }
