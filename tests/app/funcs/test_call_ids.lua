-- WIPPY-API.md §8 funcs.call / funcs.async: an empty ID, no namespace or no name →
-- nil, err (Invalid); an unknown entry → NotFound; the first result only.
local t = require("t")

local function main()
  for _, id in ipairs({ "", "noname", ":name", "ns:", ":" }) do
    local v, err = funcs.call(id)
    t.eq(v, nil, "funcs.call(" .. t.show(id) .. ")")
    t.err(err, "Invalid", {}, "funcs.call(" .. t.show(id) .. ")")
    local f, aerr = funcs.async(id)
    t.eq(f, nil, "funcs.async(" .. t.show(id) .. ")")
    t.err(aerr, "Invalid", {}, "funcs.async(" .. t.show(id) .. ")")
    v, err = funcs.new():call(id)
    t.eq(v, nil, "executor call(" .. t.show(id) .. ")")
    t.err(err, "Invalid", {}, "executor call(" .. t.show(id) .. ")")
  end
  local v, err = funcs.call("app.funcs:no_such")
  t.eq(v, nil, "an unknown function")
  t.err(err, "NotFound", {}, "an unknown function")
  t.eq({ funcs.call("app.funcs:two_results") }, { "first" }, "only the first result")
  return true
end

return { main = main }
