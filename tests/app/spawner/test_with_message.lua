-- §5 with_message(topic, ...): the messages are queued before the child runs, so they
-- are the first it receives, in order, from the spawner; several values travel as one
-- array; '@' topics are refused.
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  local pid = process.with_context({})
    :with_message("a", 1)
    :with_message("b", { x = 2 })
    :with_message("a", 3, 4)
    :spawn_monitored("app.spawner:collector", nil, 4)
  local e = t.event(events, process.event.EXIT, pid)
  t.eq(e.result.value, {
    { "a", 1, me },
    { "b", { x = 2 }, me },
    { "a", { 3, 4 }, me },
    { "own", "sent by the child at start", pid },
  }, "messages in the order the child received them")
  t.raises({ "@x" }, function()
    process.with_context({}):with_message("@x", 1)
  end)
  return true
end

return { main = main }
