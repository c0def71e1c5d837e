-- WIPPY-API.md §4: the string library accepts an error wherever it expects a string,
-- using its message; method calls on the error (e:upper()) do not work.
local t = require("t")

local function main()
  local e = errors.new({ message = "File Not Found: a.txt", kind = errors.NOT_FOUND })
  t.eq(string.upper(e), "FILE NOT FOUND: A.TXT", "string.upper")
  t.eq(string.lower(e), "file not found: a.txt", "string.lower")
  t.eq(string.len(e), 21, "string.len")
  t.eq(string.find(e, "Not", 1, true), 6, "string.find (plain)")
  t.eq(string.match(e, "(%w+)%.txt"), "a", "string.match")
  t.eq(string.sub(e, 1, 4), "File", "string.sub")
  t.eq((string.gsub(e, "a%.txt", "b")), "File Not Found: b", "string.gsub")
  t.eq(string.format("%s!", e), "File Not Found: a.txt!", "string.format %s")
  t.eq(string.rep(errors.new("ab"), 3), "ababab", "string.rep")
  t.raises({}, function()
    return e:upper()
  end)
  -- Strings still work as before.
  t.eq(("abc"):upper(), "ABC", "a string method call")
  return true
end

return { main = main }
