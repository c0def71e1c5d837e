-- The chunk returns a table: tbl[method] is the entry point (method: run here).
return {
  run = function(x)
    return "tbl.run: " .. tostring(x)
  end,
  main = function()
    return "tbl.main (not the method)"
  end,
}
