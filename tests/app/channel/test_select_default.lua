-- WIPPY-API.md §3 select with default = true and nothing ready → {default = true, ok =
-- true} (no channel or value); channel.select(cases, true) also enables default; a ready
-- case wins over default; non-case array items are ignored.
local t = require("t")

local function main()
  local a = channel.new(1)
  local r = channel.select({ a:case_receive(), default = true })
  t.eq(r, { default = true, ok = true }, "default result")
  r = channel.select({ a:case_receive() }, true)
  t.eq(r, { default = true, ok = true }, "default as the 2nd argument")
  a:send(5)
  r = channel.select({ a:case_receive(), default = true })
  t.eq({ r.value, r.ok, r.default }, { 5, true, nil }, "a ready case wins over default")
  r = channel.select({ "not a case", 42, {}, a:case_send(6), default = true })
  t.ok(r.channel == a, "non-case items are ignored")
  t.eq({ r.value, r.ok }, { 6, true }, "the send case after non-case items")
  r = channel.select({ "only", "junk" }, true)
  t.eq(r, { default = true, ok = true }, "only non-case items, with default")
  return true
end

return { main = main }
