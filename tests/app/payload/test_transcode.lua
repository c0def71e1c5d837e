-- WIPPY-API.md §5 p:transcode(fmt) → a new Payload, nil (two values), or nil, err
-- (Internal): lua ↔ json ↔ msgpack, text for strings and scalars.
local t = require("t")

local function main()
  local p = payload.new({ a = { 1, 2 }, b = "c" })
  local r = { p:transcode(payload.format.JSON) }
  t.eq(#r, 1, "transcode returns the payload")
  t.eq(select("#", p:transcode(payload.format.JSON)), 2, "transcode returns two values")
  t.eq(r[2], nil, "transcode's second value")
  local j = r[1]
  t.eq(j:get_format(), "json/plain", "format after transcode to JSON")
  t.eq(p:get_format(), "lua/any", "the source payload is unchanged")
  local m = j:transcode(payload.format.MSGPACK)
  t.eq(m:get_format(), "application/msgpack", "JSON → MessagePack")
  local back = m:transcode(payload.format.JSON)
  t.eq(back:get_format(), "json/plain", "MessagePack → JSON")
  t.eq(back:data(), { a = { 1, 2 }, b = "c" }, "value after lua → JSON → MessagePack → JSON")
  local l = m:transcode(payload.format.LUA)
  t.eq(l:get_format(), "lua/any", "MessagePack → lua")
  t.eq(l:data(), { a = { 1, 2 }, b = "c" }, "value after → lua")

  -- Text.
  local s = payload.new("plain words"):transcode(payload.format.STRING)
  t.eq(s:get_format(), "text/plain", "string → text")
  t.eq(s:data(), "plain words", "text data")
  t.eq(payload.new(12):transcode(payload.format.STRING):data(), "12", "number → text")
  local js = payload.new("quoted"):transcode(payload.format.JSON)
  t.eq(js:data(), "quoted", "string → JSON → data")

  -- Failures: nil, err (Internal).
  local bad, err = payload.new({ 1, 2 }):transcode(payload.format.STRING)
  t.eq(bad, nil, "table → text")
  t.err(err, "Internal", {}, "table → text")
  bad, err = p:transcode("no/such-format")
  t.eq(bad, nil, "transcode to an unknown format")
  t.err(err, "Internal", {}, "transcode to an unknown format")
  return true
end

return { main = main }
