-- WIPPY-API.md §2 process.send with fewer than two arguments → nil, err (Invalid).
local t = require("t")

local function main()
  local ok, err = process.send(process.pid())
  t.eq(ok, nil, "send without a topic")
  t.err(err, "Invalid", {}, "send without a topic")
  ok, err = process.send()
  t.eq(ok, nil, "send without arguments")
  t.err(err, "Invalid", {}, "send without arguments")
  return true
end

return { main = main }
