-- §5 funcs.new():with_context{...}: the called function sees the values with ctx.get;
-- builders are immutable; later with_context calls win per key.
local t = require("t")
local funcs = require("funcs")

local function main()
  local base = funcs.new()
  local with_k = base:with_context({ k = "v", cfg = { depth = 2, list = { 1, 2 } } })
  t.eq(with_k:call("app.funcs:ctx_get", "k"), "v", "ctx.get inside the function")
  t.eq(with_k:call("app.funcs:ctx_get", "cfg"), { depth = 2, list = { 1, 2 } }, "table value in the context")
  local v, err = base:call("app.funcs:ctx_get", "k")
  t.eq(v, nil, "the base builder gained the context")
  t.err(err, "NotFound", { "k" }, "ctx.get of a missing key")
  local v2, err2 = funcs.call("app.funcs:ctx_get", "k")
  t.eq(v2, nil, "plain funcs.call sees a context")
  t.eq(err2:kind(), "NotFound", "plain funcs.call error kind")

  local overridden = with_k:with_context({ k = "w", extra = true })
  t.eq(overridden:call("app.funcs:ctx_all"), { k = "w", extra = true, cfg = { depth = 2, list = { 1, 2 } } }, "overlaid context")
  t.eq(with_k:call("app.funcs:ctx_get", "k"), "v", "the builder after a derived with_context")
  t.eq(t.recv(with_k:async("app.funcs:ctx_get", "k"):response(), "the async result"):data(), "v", "context through async")
  t.raises({ "string" }, function()
    base:with_context({ [1] = "not a string key" })
  end)
  return true
end

return { main = main }
