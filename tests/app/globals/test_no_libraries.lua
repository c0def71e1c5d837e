-- WIPPY-API.md §1: no io library, no file loading (debug and utf8: test_no_debug_utf8.lua).
local t = require("t")

local function main()
  t.eq(rawget(_G, "io"), nil, "io")
  t.eq(rawget(_G, "loadfile"), nil, "loadfile")
  t.eq(rawget(_G, "dofile"), nil, "dofile")
  return true
end

return { main = main }
