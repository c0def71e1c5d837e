-- WIPPY-API.md §7.2 logger:with(fields) → a child logger (a new userdata) with those
-- fields fixed; it logs like the root; the root is unchanged; children chain.
local t = require("t")

local function main()
  local child = logger:with({ request = "r1", attempt = 1 })
  t.eq(type(child), "userdata", "with() returns a logger")
  t.ok(child ~= logger, "with() returned the root logger")
  child:info("from the child")
  child:warn("child warning", { error = errors.new("x") })
  local grand = child:with({ step = "parse" })
  grand:warn("from the grandchild", { extra = true })
  t.ok(grand ~= child, "a grandchild is a new logger")
  t.raises({ "colon" }, child.info, "dot call on a child")
  t.raises({ "fields" }, function()
    logger:with("not a table")
  end)
  -- A bounded number of fields.
  local many = {}
  for i = 1, 1000 do
    many["k" .. i] = i
  end
  t.raises({ "at most" }, function()
    logger:with(many)
  end)
  return true
end

return { main = main }
