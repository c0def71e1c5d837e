-- Sends itself a message first thing, then collects `n` inbox messages as
-- {topic, payload, from}: messages queued by with_message come before its own.
return { main = function(n)
  process.send(process.pid(), "own", "sent by the child at start")
  local inbox = process.inbox()
  local out = {}
  for _ = 1, n do
    local m = inbox:receive()
    table.insert(out, { m:topic(), m:payload():data(), m:from() })
  end
  return out
end }
