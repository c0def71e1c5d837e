-- One client service: tries four operations as its own actor, then answers `status`.
local funcs = require("funcs")
local time = require("time")
local logger = require("logger")

local function outcome(value, err)
  if err then return "denied: " .. tostring(err) end
  return "ok: " .. tostring(value)
end

local function main(name)
  local results = {}
  -- 1. a report job: allowed for both.
  results.report_job = outcome(process.exec("app:report_job"))
  -- 2. the purge job: the no_purge policy denies it to non-admins.
  results.purge = outcome(process.exec("app:purge"))
  -- 3. key rotation: only the admins' policies allow funcs.call.
  results.rotate_keys = outcome(funcs.call("app:rotate_keys"))
  -- 4. the root password: both may message the vault; the vault decides.
  local answers = process.listen("secret")
  process.send("vault", "get", { key = "root_password", reply_to = process.pid() })
  local a = answers:receive()
  results.root_password = a.error and ("refused: " .. a.error) or ("ok: " .. a.value)
  logger:info("client ready", { client = name })

  process.registry.register(name)
  local inbox = process.inbox()
  local events = process.events()
  while true do
    local r = channel.select({ inbox:case_receive(), events:case_receive() })
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "stopped" end
    else
      local req = r.value:payload():data()
      process.send(req.reply_to, "status", { client = name, results = results })
    end
  end
end

return { main = main }
