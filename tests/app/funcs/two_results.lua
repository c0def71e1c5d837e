-- Two results whose second is neither a string nor an error (those would be an error
-- exit): the caller gets the first.
return { main = function()
  return "first", 2
end }
