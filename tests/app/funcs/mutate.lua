-- Changes the table it was given and returns it.
return { main = function(tbl)
  tbl.changed = true
  tbl.list[1] = "changed"
  return tbl
end }
