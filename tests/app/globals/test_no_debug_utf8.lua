-- WIPPY-API.md §1: no debug or utf8 library (Troupe keeps debug.traceback and Luau's utf8).
local t = require("t")

local function main()
  t.eq(rawget(_G, "debug"), nil, "debug")
  t.eq(rawget(_G, "utf8"), nil, "utf8")
  return true
end

return { main = main }
