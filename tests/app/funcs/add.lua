return { main = function(a, b)
  return a + b
end }
