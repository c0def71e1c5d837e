-- WIPPY-API.md §4 e:stack(): text with the wrap contexts and the Lua frames as
-- `src:line (name)`.
local t = require("t")

local function deep_maker()
  return errors.new("from deep_maker")
end

local function main()
  local e = deep_maker()
  local s = e:stack()
  t.eq(type(s), "string", "stack type")
  t.contains(s, "app.errors:stack:6", "the source:line of errors.new in the stack")
  t.contains(s, "(deep_maker)", "the function name in the stack")
  local w = errors.wrap(e, "while testing")
  t.contains(w:stack(), "while testing", "wrap context in the stack")
  t.contains(w:stack(), "(deep_maker)", "frames kept by wrap")
  return true
end

return { main = main }
