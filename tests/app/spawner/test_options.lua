-- §5 with_options{trap_links=true}: the child starts trapping links; the default is not
-- to; other keys are opaque host options (accepted, as WIPPY-API.md §2); a non-boolean
-- trap_links raises.
local t = require("t")

local function main()
  local r, err = process.with_options({ trap_links = true }):exec("app.spawner:trapper")
  t.eq(err, nil, "trapper error")
  t.eq(r, { trap = true, reason = "crash after 10ms" }, "trapper report")

  -- Without the option the same process dies from the link.
  local v, lerr = process.with_context({}):exec("app.spawner:trapper")
  t.eq(v, nil, "trapper without trap_links")
  t.eq(lerr and lerr:message(), "linked process failed", "exit reason without trap_links")

  -- Options and context combine, in any order.
  local both = process.with_context({ k = "v" }):with_options({ trap_links = true })
  local rep = both:exec("app.spawner:report")
  t.eq({ rep.ctx, rep.trap }, { { k = "v" }, true }, "context + options")
  rep = process.with_options({ trap_links = true }):with_context({ k = "w" }):exec("app.spawner:report")
  t.eq({ rep.ctx, rep.trap }, { { k = "w" }, true }, "options + context")
  t.eq(process.with_options({ trap_links = false }):exec("app.spawner:report").trap, false, "trap_links = false")

  -- Unknown keys are accepted and change nothing about the child.
  rep = process.with_options({ bogus = 1 }):exec("app.spawner:report")
  t.eq(rep.trap, false, "child of with_options{bogus = 1}")
  rep = process.with_context({ k = "x" }):with_options({ bogus = true, trap_links = true }):exec("app.spawner:report")
  t.eq({ rep.ctx, rep.trap }, { { k = "x" }, true }, "unknown key next to trap_links")
  t.raises({ "trap_links", "boolean" }, process.with_options, { trap_links = "yes" })
  return true
end

return { main = main }
