-- Does not trap links: links to a child that crashes after 30 ms, then waits forever.
-- The crash must take it down too ("linked process failed").
local function main()
  assert(process.spawn_linked("app.processes:outcome", nil, "crash_after", 30))
  process.inbox():receive()
  return "unreachable"
end

return { main = main }
