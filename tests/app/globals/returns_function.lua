-- The chunk returns a function: it is the entry point whatever `method` says.
return function(a, b)
  return "returned function: " .. tostring(a) .. "," .. tostring(b)
end
