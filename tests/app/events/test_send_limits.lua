-- WIPPY-API.md §10.2 isolation: events.send copies data under the sender's limits
-- (limits.max_message): data over it → nil, Invalid, and nothing is published.
local t = require("t")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local r, err = funcs.call("app.events:small_sender")
  t.eq(err, nil, "small_sender error")
  t.eq(r.small, true, "a small payload")
  t.eq(r.big, nil, "a payload over max_message")
  t.eq(r.kind, errors.INVALID, "its kind")
  t.contains(r.message, "max_message", "its message")
  return true
end

return { main = main }
