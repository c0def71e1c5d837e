-- WIPPY-API.md §7.1 json.decode failures: a non-string or "" → nil, err (Invalid); bad
-- JSON → nil, err (Internal).
local t = require("t")

local function main()
  for _, v in ipairs({ "", 42, true, {} }) do
    local r, err = json.decode(v)
    t.eq(r, nil, "decode(" .. t.show(v) .. ")")
    t.err(err, "Invalid", {}, "decode(" .. t.show(v) .. ")")
  end
  local r, err = json.decode(nil)
  t.eq(r, nil, "decode(nil)")
  t.err(err, "Invalid", {}, "decode(nil)")
  for _, s in ipairs({ "{not json", "[1, 2", "1 2", "{1:2}", "'x'", "nul" }) do
    r, err = json.decode(s)
    t.eq(r, nil, "decode of " .. s)
    t.err(err, "Internal", {}, "decode of " .. s)
  end
  return true
end

return { main = main }
