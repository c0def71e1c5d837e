-- WIPPY-API.md §5 payload.new(v): format lua/any (golang/error for an error object);
-- data() gives the value back. Decision (Troupe): the payload holds a deep copy, so a
-- later change to the table does not show, and each data() is a fresh table.
local t = require("t")

local function main()
  local src = { a = 1, list = { "x", "y" }, nested = { ok = true } }
  local p = payload.new(src)
  t.eq(type(p), "userdata", "type of a payload")
  t.eq(p:get_format(), payload.format.LUA, "format of payload.new(table)")
  t.eq(p:data(), { a = 1, list = { "x", "y" }, nested = { ok = true } }, "data()")
  src.a = 2
  t.eq(p:data().a, 1, "data() after changing the source table")
  local d = p:data()
  d.a = 3
  t.eq(p:data().a, 1, "data() after changing a returned table")

  for _, v in ipairs({ "text", 42, 2.5, true, false }) do
    local q = payload.new(v)
    t.eq(q:get_format(), payload.format.LUA, "format of payload.new(" .. tostring(v) .. ")")
    t.eq(q:data(), v, "data() of " .. tostring(v))
  end
  t.eq(payload.new(nil):data(), nil, "data() of payload.new(nil)")

  local e = payload.new(errors.new({ message = "bad", kind = errors.INVALID }))
  t.eq(e:get_format(), payload.format.ERROR, "format of payload.new(error)")
  t.err(e:data(), "Invalid", { "bad" }, "data() of an error payload")

  -- A value that cannot be copied raises.
  local cyc = {}
  cyc.me = cyc
  t.raises({ "cycle" }, payload.new, cyc)
  return true
end

return { main = main }
