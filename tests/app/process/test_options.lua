-- WIPPY-API.md §2 get_options() → {trap_links = bool}; set_options(t) → true, nil, or
-- false, err (Invalid) for a non-table, a non-boolean trap_links or an unknown key
-- ("option <k> is not supported"; valid keys are still applied).
local t = require("t")

local function main()
  t.eq(process.get_options(), { trap_links = false }, "default options")
  t.eq({ process.set_options({ trap_links = true }) }, { true, nil }, "set trap_links")
  t.eq(select("#", process.set_options({ trap_links = true })), 2, "set_options returns two values")
  t.eq(process.get_options(), { trap_links = true }, "after set")
  local ok, err = process.set_options("yes")
  t.eq(ok, false, "set_options of a string")
  t.err(err, "Invalid", {}, "set_options of a string")
  ok, err = process.set_options({ trap_links = "no" })
  t.eq(ok, false, "a non-boolean trap_links")
  t.err(err, "Invalid", { "trap_links" }, "a non-boolean trap_links")
  t.eq(process.get_options().trap_links, true, "a refused value changed nothing")
  ok, err = process.set_options({ bogus = 1, trap_links = false })
  t.eq(ok, false, "an unknown key")
  t.err(err, "Invalid", { "option bogus is not supported" }, "an unknown key")
  t.eq(process.get_options().trap_links, false, "valid keys are applied next to an unknown one")
  return true
end

return { main = main }
