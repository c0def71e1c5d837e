-- WIPPY-API.md §10.2 under a scope: subscribe without `events.subscribe` on the system →
-- nil, Invalid (as Wippy); send without `events.send` → nil, PermissionDenied; allowed
-- systems work; a denied send reaches nobody.
local t = require("t")
local funcs = require("funcs")
local security = require("security")
local errors = require("errors")
local events = require("events")

local function main()
  local watch = events.subscribe("secret")
  local r, err = funcs.new():with_actor(security.new_actor("events-probe"))
    :with_scope(security.named_scope("events_limited")):call("app.events:limited")
  t.eq(err, nil, "probe error")
  t.eq(r.subscribe_ok, true, "subscribe to an allowed system")
  t.eq(r.send_ok, true, "send on an allowed system")
  t.eq(r.subscribe_denied.value, nil, "denied subscribe value")
  t.eq(r.subscribe_denied.kind, errors.INVALID, "denied subscribe kind")
  t.contains(r.subscribe_denied.message, "events.subscribe", "denied subscribe names the action")
  t.contains(r.subscribe_denied.message, "secret", "denied subscribe names the system")
  t.eq(r.send_denied.value, nil, "denied send value")
  t.eq(r.send_denied.kind, errors.PERMISSION_DENIED, "denied send kind")
  t.contains(r.send_denied.message, "events.send", "denied send names the action")
  t.eq(t.drain(watch:channel(), 100), {}, "a denied send was delivered")
  return true
end

return { main = main }
