-- §5 ctx: process.with_context{...} values reach the spawned process, its children and
-- grandchildren and the functions they call; a child's own with_context overlays the
-- inherited keys for its children only.
local t = require("t")
local ctx = require("ctx")

local function main()
  t.eq(ctx.all(), {}, "a test has no context")
  local none, err = ctx.get("a")
  t.eq(none, nil, "ctx.get without context")
  t.err(err, "NotFound", { "a" }, "ctx.get without context")

  local base = { a = 1, b = "x" }
  local r, xerr = process.with_context(base):exec("app.funcs:ctx_child")
  t.eq(xerr, nil, "ctx_child error")
  t.eq(r.own, base, "the child's context")
  t.eq(r.get_a, 1, "ctx.get(\"a\") in the child")
  t.eq(r.missing, { kind = "NotFound" }, "ctx.get of a missing key in the child")
  t.eq(r.grand, { all = {}, fn = {} }, "process.exec: the grandchild starts with no ctx values (as Wippy)")
  t.eq(r.fn, base, "function called by the child")
  t.eq(r.overlay, { all = { a = 1, b = "y", c = 3 }, fn = { a = 1, b = "y", c = 3 } }, "grandchild spawned with an overlay")
  t.eq(r.fn_overlay, { a = 1, b = "z" }, "function called with an overlay")
  t.eq(r.own_after, base, "the child's context after its overlays")
  t.eq(ctx.all(), {}, "our context after all that")
  return true
end

return { main = main }
