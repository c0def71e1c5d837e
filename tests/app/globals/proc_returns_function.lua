-- A process whose chunk returns a function: it is main.
return function(x)
  return { got = x }
end
