-- §5: every with_* call returns a new spawner; the one it was called on is unchanged.
local t = require("t")
local uuid = require("uuid")

local function main()
  local me = process.pid()
  local name = "app.spawner.immutable." .. uuid.v4()
  local s1 = process.with_context({ a = 1 })
  local s2 = s1:with_context({ b = 2 })
  local s3 = s1:with_message("hello", 1)
  local s4 = s1:with_options({ trap_links = true })
  local s5 = s1:with_name(name)
  local s6 = s3:with_message("again", 2)

  local plain = { ctx = { a = 1 }, messages = {}, trap = false, named = false }
  t.eq(s1:exec("app.spawner:report", nil, name), plain, "s1")
  t.eq(s2:exec("app.spawner:report", nil, name), { ctx = { a = 1, b = 2 }, messages = {}, trap = false, named = false }, "s2 = s1 + context")
  t.eq(s3:exec("app.spawner:report", nil, name), { ctx = { a = 1 }, messages = { { "hello", 1, me } }, trap = false, named = false }, "s3 = s1 + message")
  t.eq(s4:exec("app.spawner:report", nil, name), { ctx = { a = 1 }, messages = {}, trap = true, named = false }, "s4 = s1 + trap_links")
  t.eq(s5:exec("app.spawner:report", nil, name), { ctx = { a = 1 }, messages = {}, trap = false, named = true }, "s5 = s1 + name")
  t.eq(s6:exec("app.spawner:report", nil, name), { ctx = { a = 1 }, messages = { { "hello", 1, me }, { "again", 2, me } }, trap = false, named = false }, "s6 = s3 + message")
  -- A spawner keeps copies: changing the tables given to it afterwards changes nothing.
  local ctx_table, payload = { k = "before" }, { v = "before" }
  local s7 = process.with_context(ctx_table):with_message("m", payload)
  ctx_table.k, payload.v = "after", "after"
  t.eq(s7:exec("app.spawner:report"), { ctx = { k = "before" }, messages = { { "m", { v = "before" }, me } }, trap = false, named = false }, "s7 after its tables changed")
  -- After all those derivations s1 and s3 are what they were.
  t.eq(s1:exec("app.spawner:report", nil, name), plain, "s1 afterwards")
  t.eq(s3:exec("app.spawner:report", nil, name), { ctx = { a = 1 }, messages = { { "hello", 1, me } }, trap = false, named = false }, "s3 afterwards")
  -- The name was released when s5's child exited.
  t.eq(process.registry.lookup(name), nil, "the name after its holder exited")
  return true
end

return { main = main }
