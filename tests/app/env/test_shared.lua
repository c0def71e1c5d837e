-- Storages are shared by every process of the node: what one writes, others read; many
-- concurrent writers (to memory and to a file) each leave one whole value.
local t = require("t")
local env = require("env")

local function main()
  local me, inbox = process.pid(), process.inbox()
  process.spawn("app.env:setter", nil, me, "MEM_SHARED", "from-another-process")
  local r = t.recv(inbox, "set_done"):payload():data()
  t.eq(r, { ok = true, read = "from-another-process" }, "the other process")
  t.eq(env.get("MEM_SHARED"), "from-another-process", "seen here")
  for _, name in ipairs({ "MEM_SHARED", "FILE_SHARED" }) do
    for i = 1, 20 do
      process.spawn("app.env:setter", nil, me, name, "writer-" .. i)
    end
    for _ = 1, 20 do
      local d = t.recv(inbox, "set_done"):payload():data()
      t.eq(d.ok, true, name .. " concurrent set: " .. t.show(d))
    end
    local v = env.get(name)
    t.ok(type(v) == "string" and v:match("^writer%-%d+$") ~= nil, name .. " holds a whole value: " .. t.show(v))
  end
  return true
end

return { main = main }
