-- `<T: C>` and `<T extends C>` constraints are dropped: the functions are generic over T.
local t = require("t")

type Named = { name: string }
type Box<T: Named> = { item: T }

local function first<T: Named>(xs: { T }): T
  return xs[1]
end

local function wrap<T extends Named, U>(x: T, y: U): Box<T>
  return { item = x }
end

local function main()
  t.eq(first({ { name = "a" } }).name, "a", "constrained generic function")
  t.eq(wrap({ name = "b" }, 1).item.name, "b", "extends constraint")
  local id: <T: Named>(T) -> T = function(x) return x end
  t.eq(id(5), 5, "constrained generic function type")
  return true
end

return { main = main }
