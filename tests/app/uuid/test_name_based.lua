-- WIPPY-API.md §7.3 uuid.v3(ns, name) / uuid.v5(ns, name): deterministic (RFC 4122
-- test vectors); ns a UUID string in any accepted form; a bad ns or a non-string name
-- → nil, err (Invalid).
local t = require("t")

local DNS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

local function main()
  t.eq({ uuid.v5(DNS, "www.example.com") }, { "2ed6657d-e927-568b-95e1-2665a8aea6a2" }, "v5 test vector")
  t.eq({ uuid.v3(DNS, "www.example.com") }, { "5df41881-3aed-3515-88a7-2f4a814cf09e" }, "v3 test vector")
  t.eq(uuid.v5(DNS, "a"), uuid.v5(DNS, "a"), "v5 is deterministic")
  t.ok(uuid.v5(DNS, "a") ~= uuid.v5(DNS, "b"), "v5 of different names")
  t.eq(uuid.v5("urn:uuid:" .. DNS, "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2", "a urn namespace")
  t.eq(uuid.v5(string.upper(DNS), "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2", "an uppercase namespace")
  t.eq(uuid.version(uuid.v3(DNS, "x")), 3, "version of a v3")
  t.eq(uuid.version(uuid.v5(DNS, "x")), 5, "version of a v5")
  t.eq(uuid.v5(DNS, ""), uuid.v5(DNS, ""), "an empty name")
  for _, f in ipairs({ "v3", "v5" }) do
    local v, err = uuid[f]("not-a-uuid", "x")
    t.eq(v, nil, f .. " with a bad namespace")
    t.err(err, "Invalid", {}, f .. " with a bad namespace")
    v, err = uuid[f](DNS, nil)
    t.eq(v, nil, f .. " without a name")
    t.err(err, "Invalid", {}, f .. " without a name")
    v, err = uuid[f](nil, "x")
    t.eq(v, nil, f .. " without a namespace")
    t.err(err, "Invalid", {}, f .. " without a namespace")
  end
  return true
end

return { main = main }
