-- Reports its own PID to `dest` by message and as its result (a function has a PID).
return { main = function(dest)
  process.send(dest, "from_fn", process.pid())
  return process.pid()
end }
