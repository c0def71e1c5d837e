-- Emits one record of each shape tests/wippy_log.rs checks (line numbers matter).
local function main()
  logger:info("plain info", { user = "bob", n = 3 })
  logger:with({ request = "r1" }):warn("child warning", { extra = true })
  logger:named("billing"):named("invoices"):info("named info")
  logger:error("failed", { error = errors.new({ message = "disk full", kind = errors.UNAVAILABLE }), path = "/x" })
  print("a", 1, 2.5, errors.new("e"), nil, true, {})
  logger:info(42)
  logger:info("string keys only", { 1, 2, [true] = "b", kept = "yes" })
  return "done"
end

return { main = main }
