-- WIPPY-API.md §1/§3 (gopher-lua semantics): an error the runtime raises (require of an
-- absent module, closing a closed channel) reaches pcall as a string with the message,
-- usable with `..` and the string library; no "runtime error: " prefix, no traceback.
local t = require("t")

local function check(e, text, what)
  t.eq(type(e), "string", what .. ": type of the raised error")
  t.contains(e, text, what)
  t.ok(not string.find(e, "runtime error", 1, true), what .. ": has mlua's prefix: " .. e)
  t.ok(not string.find(e, "stack traceback", 1, true), what .. ": has a traceback: " .. e)
  t.contains("failed: " .. e, text, what .. " after ..")
end

local function main()
  local _, e = pcall(require, "absent_module")
  check(e, "module 'absent_module' not found", "require")
  local c = channel.new(1)
  c:close()
  _, e = pcall(c.close, c)
  check(e, "close of closed channel", "close twice")
  _, e = pcall(c.send, c, 1)
  check(e, "send on closed channel", "send on closed")
  return true
end

return { main = main }
