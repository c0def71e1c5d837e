-- Sends each {topic, value} of `plan` to `dest`, in order; returns how many it sent.
local function main(dest, plan)
  for _, m in ipairs(plan) do
    assert(process.send(dest, m[1], m[2]))
  end
  return #plan
end

return { main = main }
