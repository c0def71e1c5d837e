-- Calls and spawns readers to show what is inherited.
local function main(parent)
  process.spawn("app.ctx:spawn_reader", nil, parent)
  return {
    own = ctx.all(),
    call = funcs.call("app.ctx:reader"),
    overlay = funcs.new():with_context({ b = "over" }):call("app.ctx:reader"),
  }
end

return { main = main }
