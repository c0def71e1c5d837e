-- Runs under the `events_limited` scope: events.subscribe/send on `allowed.*` only.
local events = require("events")

local function main()
  local out = {}
  local s, err = events.subscribe("allowed.x")
  out.subscribe_ok = s ~= nil and err == nil
  local d, derr = events.subscribe("secret")
  out.subscribe_denied = { value = d, kind = derr and derr:kind(), message = derr and derr:message() }
  local ok, serr = events.send("allowed.x", "k", "p")
  out.send_ok = ok == true and serr == nil
  local v, err2 = events.send("secret", "k", "p")
  out.send_denied = { value = v, kind = err2 and err2:kind(), message = err2 and err2:message() }
  return out
end

return { main = main }
