-- Sends one "greeting" to `test`.
return { main = function(test, text)
  return process.send(test, "greeting", text)
end }
