-- A supervised worker: registers `name` and waits for ever.
local function main(name)
  process.registry.register(name)
  process.inbox():receive()
end

return { main = main }
