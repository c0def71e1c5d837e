-- Probes every operation SPEC §7.2 checks, as this service's actor, and reports what
-- happened to the process registered as "collector".
local funcs = require("funcs")
local time = require("time")

local function text(ok, err)
  if err ~= nil then
    local msg = string.gsub(tostring(err), "{[^}]*}", "<pid>")
    return msg .. " [" .. tostring(err:kind()) .. "]"
  end
  if ok == nil or ok == false then return "failed" end
  return "ok"
end

local function main(tag)
  for _ = 1, 500 do
    if process.registry.lookup("collector") then break end
    time.sleep("10ms")
  end
  local r = {}
  local victim, err = process.spawn("app:child", nil, "wait")
  r.spawn_child = text(victim, err)
  r.spawn_forbidden = text(process.spawn("app:forbidden"))
  r.call = text(funcs.call("app:fn"))
  r.register = text(process.registry.register("probe-" .. tag))
  if victim then
    r.link = text(process.link(victim))
    r.monitor = text(process.monitor(victim))
    r.cancel = text(process.cancel(victim, "probe"))
    process.unlink(victim) -- so a granted terminate does not take the prober down
    r.terminate = text(process.terminate(victim))
    if r.terminate == "ok" then
      -- terminate is asynchronous: wait for the EXIT the (granted) monitor delivers.
      local events = process.events()
      repeat local e = events:receive() until e.kind == process.event.EXIT and e.from == victim
    end
    -- A denied operation has no side effect: the name is not taken, the victim lives.
    r.name_taken = process.registry.lookup("probe-" .. tag) ~= nil
    r.victim_alive = process.send(victim, "still there?", 1) == true
  end
  r.grand = text(process.spawn("app:child", nil, "grand"))
  process.send("collector", "report", r)
  -- Stay up until the node stops us.
  local events = process.events()
  while events:receive().kind ~= process.event.CANCEL do end
  return "stopped"
end

return { main = main }
