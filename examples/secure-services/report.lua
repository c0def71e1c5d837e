-- `troupe run examples/secure-services -x app:report`: ask both clients what they were
-- allowed to do and print it, one line per operation.
local time = require("time")

local function await_name(name)
  for _ = 1, 500 do
    local pid = process.registry.lookup(name)
    if pid then return pid end
    time.sleep("10ms")
  end
  error("timed out waiting for service " .. name, 0)
end

local function main()
  local replies = process.listen("status")
  local lines = {}
  for _, client in ipairs({ "admin", "intern" }) do
    process.send(await_name(client), "status", { reply_to = process.pid() })
    local s = replies:receive()
    for _, op in ipairs({ "report_job", "purge", "rotate_keys", "root_password" }) do
      table.insert(lines, string.format("%-6s %-13s %s", s.client, op, s.results[op]))
    end
  end
  return table.concat(lines, "\n")
end

return { main = main }
