-- WIPPY-API.md §4 tostring(e) is the message only (no kind, no context); `..` joins
-- messages: "a" .. e, e .. "b", e .. e, and numbers.
local t = require("t")

local function main()
  local e = errors.new({ message = "broken", kind = errors.INTERNAL })
  t.eq(tostring(e), "broken", "tostring")
  t.eq(tostring(errors.wrap(e, "context")), "broken", "tostring of a wrapped error")
  t.eq("error: " .. e, "error: broken", "string .. error")
  t.eq(e .. "!", "broken!", "error .. string")
  t.eq(e .. e, "brokenbroken", "error .. error")
  t.eq(e .. 1, "broken1", "error .. number")
  t.eq(2 .. e, "2broken", "number .. error")
  t.eq("[" .. e .. "]", "[broken]", "chained concatenation")
  t.raises({ "concatenate" }, function()
    return e .. {}
  end)
  t.raises({ "concatenate" }, function()
    return nil .. e
  end)
  return true
end

return { main = main }
