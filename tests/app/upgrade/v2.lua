-- Upgrades itself until n reaches 3, then reports who it is; an inbox message sent
-- while it upgraded is still there.
return { main = function(parent, n)
  if n < 3 then
    process.upgrade(nil, parent, n + 1)
  end
  local late = process.inbox():receive()
  process.send(parent, "done", {
    n = n,
    pid = process.pid(),
    id = process.id(),
    name = process.registry.lookup("app.upgrade:worker"),
    late = late:payload():data(),
  })
  return "v2 finished"
end }
