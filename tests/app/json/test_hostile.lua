-- WIPPY-API.md §7.1 under hostile input: a pathological regex in a schema, deeply nested
-- text, huge strings and a doubled shared table all end cleanly (a value or nil/false,
-- err), never a hang or a crash.
local t = require("t")

local function main()
  -- Catastrophic backtracking for a backtracking engine: (a+)+$ against "aaaa…!".
  local evil = { type = "string", pattern = "^(a+)+$" }
  local ok, err = json.validate(evil, string.rep("a", 5000) .. "!")
  t.eq(ok, false, "pathological pattern: no match")
  t.err(err, "Invalid", {}, "pathological pattern")
  -- With a backreference (a backtracking-only feature).
  local back = { type = "string", pattern = "^(a*)*\\1b$" }
  local r, berr = json.validate(back, string.rep("a", 3000))
  t.eq(r, false, "backreference pattern")
  t.err(berr, "Invalid", {}, "backreference pattern")
  -- A pattern that is not a regex.
  ok, err = json.validate({ type = "string", pattern = "(" }, "x")
  t.eq(ok, false, "an invalid pattern")
  t.err(err, "Invalid", {}, "an invalid pattern")

  -- Deep text: 100,000 nested arrays.
  local deep = string.rep("[", 100000) .. string.rep("]", 100000)
  local v, derr = json.decode(deep)
  t.eq(v, nil, "100,000 nested arrays")
  t.err(derr, "Internal", { "deeper" }, "100,000 nested arrays")
  ok, err = json.validate_string({ type = "array" }, deep)
  t.eq(ok, false, "validate_string of 100,000 nested arrays")
  t.err(err, "Invalid", {}, "validate_string of 100,000 nested arrays")
  -- Deeply nested schema.
  local ds = string.rep('{"items":', 5000) .. "{}" .. string.rep("}", 5000)
  ok, err = json.validate(ds, { 1 })
  t.eq(ok == true or ok == false, true, "validate with a 5000-level schema ended")

  -- A 512 KiB string round trip; over max_message (1 MiB here) is nil, err.
  local big = string.rep("q", 512 * 1024)
  t.eq(#json.decode(json.encode(big)), #big, "512 KiB string round trip")
  local esc, serr = json.encode(string.rep("\1", 512 * 1024))
  t.eq(esc, nil, "encode whose escaped text is over max_message")
  t.err(serr, "Internal", { "max_message" }, "encode whose escaped text is over max_message")
  -- A doubled shared table: refused, not expanded.
  local d = { "leaf" }
  for _ = 1, 40 do
    d = { d, d }
  end
  local s, eerr = json.encode(d)
  t.eq(s, nil, "encode of a 2^40-fold shared table")
  t.err(eerr, "Internal", {}, "encode of a 2^40-fold shared table")
  return true
end

return { main = main }
