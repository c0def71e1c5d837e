-- WIPPY-API.md §2 process.send failure texts: an unknown name → "could not resolve '<x>'
-- as PID or registered name"; a dead PID → "process not found".
local t = require("t")

local function main()
  local me = process.pid()
  local ok, err = process.send("app.process.no-such-name", "t", 1)
  t.eq(ok, nil, "send to an unknown name")
  t.err(err, "NotFound", { "could not resolve 'app.process.no-such-name' as PID or registered name" }, "send to an unknown name")
  local dead = process.spawn_monitored("app.process:worker", nil, "value", me, 1)
  t.event(process.events(), process.event.EXIT, dead)
  ok, err = process.send(dead, "t", 1)
  t.eq(ok, nil, "send to a dead PID")
  t.eq(err:message(), "process not found", "send to a dead PID")
  return true
end

return { main = main }
