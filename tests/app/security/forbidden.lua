-- Must never run: the `limited` scope denies spawning it.
return { main = function(test)
  process.send(test, "forbidden_ran", "the forbidden process ran")
  return "ran"
end }
