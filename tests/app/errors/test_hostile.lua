-- WIPPY-API.md §4 under hostile input: huge messages and contexts, deep details, 10,000
-- wraps and 10,000 errors all end cleanly (a value or a raised error, never a hang or a
-- crash); what an error keeps stays bounded.
local t = require("t")

local function main()
  local huge = string.rep("x", 8 * 1024 * 1024)
  local e = errors.new(huge)
  t.eq(#e:message(), #huge, "a huge message is kept")
  local w = errors.wrap(e, huge)
  t.eq(#w:message(), #huge, "wrap of a huge message with a huge context")
  t.eq(#tostring(errors.wrap(huge, "ctx")), #huge, "wrap of a huge string")
  e, w, huge = nil, nil, nil

  -- 10,000 wraps: each keeps the message; the stack text stays bounded.
  local x = errors.new({ message = "root", kind = errors.CONFLICT })
  for i = 1, 10000 do
    x = errors.wrap(x, "layer " .. i)
  end
  t.eq({ x:message(), x:kind() }, { "root", "Conflict" }, "after 10,000 wraps")
  local s = x:stack()
  t.contains(s, "layer 10000", "the newest context is kept")
  t.ok(#s < 1024 * 1024, "stack text after 10,000 wraps is " .. #s .. " bytes")

  -- Deep details: a refused copy raises (no crash), a moderate one works.
  local deep = {}
  local cur = deep
  for _ = 1, 2000 do
    cur.next = {}
    cur = cur.next
  end
  local ok, msg = pcall(errors.new, { message = "deep", details = deep })
  t.eq(ok, false, "errors.new with details 2000 levels deep")
  t.contains(tostring(msg), "deeper", "the refusal names the depth")
  local cyc = {}
  cyc.self = cyc
  ok, msg = pcall(errors.new, { message = "cycle", details = cyc })
  t.eq(ok, false, "errors.new with cyclic details")
  t.contains(tostring(msg), "cycle", "the refusal names the cycle")
  local fine = {}
  cur = fine
  for _ = 1, 100 do
    cur.next = {}
    cur = cur.next
  end
  t.ok(errors.new({ message = "ok", details = fine }):details().next ~= nil, "details 100 levels deep")

  -- Many errors in a loop are collected.
  for i = 1, 10000 do
    local _ = errors.new({ message = "e" .. i, kind = "K", details = { i = i } })
  end
  return true
end

return { main = main }
