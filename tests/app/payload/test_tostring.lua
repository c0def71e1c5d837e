-- WIPPY-API.md §5 tostring(p) = `payload{format=<fmt>}`.
local t = require("t")

local function main()
  t.eq(tostring(payload.new({ 1 })), "payload{format=lua/any}", "tostring of a lua payload")
  t.eq(tostring(payload.new(errors.new("x"))), "payload{format=golang/error}", "tostring of an error payload")
  t.eq(tostring(payload.new({ 1 }):transcode(payload.format.JSON)), "payload{format=json/plain}", "tostring of a JSON payload")
  return true
end

return { main = main }
