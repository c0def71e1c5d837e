-- WIPPY-API.md §5 p:data() / p:unmarshal(): the Lua value; other formats are decoded
-- first (JSON, MessagePack, text).
local t = require("t")

local function main()
  local v = { name = "x", n = 3, f = 1.5, list = { 1, 2, 3 }, flag = false }
  local p = payload.new(v)
  t.eq(p:unmarshal(), v, "unmarshal() of a lua payload")
  local j = p:transcode(payload.format.JSON)
  t.eq(j:data(), v, "data() of a JSON payload")
  t.eq(j:unmarshal(), v, "unmarshal() of a JSON payload")
  local m = p:transcode(payload.format.MSGPACK)
  t.eq(m:data(), v, "data() of a MessagePack payload")
  t.eq(m:unmarshal(), v, "unmarshal() of a MessagePack payload")
  local s = payload.new("hello"):transcode(payload.format.STRING)
  t.eq(s:data(), "hello", "data() of a text payload")
  return true
end

return { main = main }
