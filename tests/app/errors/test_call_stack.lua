-- WIPPY-API.md §4 errors.call_stack(e): {thread, frames = {{level, source, line, name,
-- type}, ...}} for an error made in Lua; nil for non-errors.
local t = require("t")

local function make_here()
  return errors.new("made in make_here")
end

local function main()
  local e = make_here()
  local cs = errors.call_stack(e)
  t.ok(type(cs) == "table", "call_stack of an error: " .. t.show(cs))
  t.ok(cs.thread ~= nil, "call_stack has a thread")
  t.ok(type(cs.frames) == "table" and #cs.frames >= 1, "call_stack frames: " .. t.show(cs.frames))
  local f = cs.frames[1]
  t.eq(f.level, 1, "first frame level")
  t.eq(type(f.source), "string", "frame source")
  t.eq(type(f.line), "number", "frame line")
  t.eq(type(f.name), "string", "frame name")
  t.eq(type(f.type), "string", "frame type")
  local seen = false
  for i, fr in ipairs(cs.frames) do
    t.eq(fr.level, i, "frame " .. i .. " level")
    if fr.name == "make_here" then
      seen = true
      t.eq(fr.line, 6, "line of errors.new inside make_here")
    end
  end
  t.ok(seen, "no frame named make_here: " .. t.show(cs.frames))
  t.eq(errors.call_stack(nil), nil, "call_stack(nil)")
  t.eq(errors.call_stack("text"), nil, "call_stack of a string")
  return true
end

return { main = main }
