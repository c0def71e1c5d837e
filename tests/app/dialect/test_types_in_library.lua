-- `export type` in a library is a runtime value too: the library hands it out.
local t = require("t")
local shapes = require("shapes")

local function main()
  local p = shapes.Point({ x = 3, y = -4 })
  t.eq(shapes.norm1(p), 7, "library function with a typed parameter")
  local _, err = shapes.Point:is({ x = 1, y = 2, label = 3 })
  t.err(err, "Invalid", { "type Point: field label: expected string, got number" }, "library type")
  return true
end

return { main = main }
