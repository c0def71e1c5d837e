-- A process whose copies may take at most 1 KiB (limits.max_message): it sends a small
-- and a too-big string to `parent` and reports what each send returned.
local function main(parent)
  local ok1, err1 = process.send(parent, "small", string.rep("s", 500))
  local ok2, err2 = process.send(parent, "big", string.rep("b", 2000))
  process.send(parent, "report", {
    small = ok1, small_err = err1 and tostring(err1),
    big = ok2, big_kind = err2 and err2:kind(), big_message = err2 and err2:message(),
  })
  return 0
end

return { main = main }
