-- WIPPY-API.md §7.1 json.encode failures → nil, err (Internal): sparse arrays, mixed keys,
-- cycles, nesting deeper than 128.
local t = require("t")

local function nil_err(v, what)
  local s, err = json.encode(v)
  t.eq(s, nil, what .. ": value")
  t.err(err, "Internal", {}, what)
end

local function main()
  nil_err({ [1] = "a", [3] = "c" }, "a sparse array")
  nil_err({ 1, 2, x = 3 }, "mixed keys")
  nil_err({ [1.5] = "x" }, "a non-integer number key")
  nil_err({ [true] = "x" }, "a boolean key")
  local cyc = {}
  cyc.self = cyc
  nil_err(cyc, "a cycle")
  local deep = {}
  local cur = deep
  for _ = 1, 129 do
    cur[1] = {}
    cur = cur[1]
  end
  nil_err(deep, "129 levels")
  local ok = {}
  cur = ok
  for _ = 1, 127 do
    cur[1] = {}
    cur = cur[1]
  end
  t.ok(json.encode(ok) ~= nil, "128 levels encode")
  return true
end

return { main = main }
