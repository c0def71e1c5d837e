-- Waits for an inbox message (it is terminated before one comes).
return { main = function()
  return process.inbox():receive():payload():data()
end }
