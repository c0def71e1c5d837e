-- Reports ctx.get results for the ctx tests.
local function main()
  local out = {}
  out.k = { ctx.get("k") }
  out.n = { ctx.get("n") }
  out.tbl = { ctx.get("tbl") }
  local v, err = ctx.get("missing")
  out.missing = { value = v, kind = err and err:kind(), message = err and err:message() }
  v, err = ctx.get("")
  out.empty = { value = v, kind = err and err:kind() }
  return out
end

return { main = main }
