-- Must never run under the `limited` scope (funcs.call is not allowed on it).
return { main = function(test)
  process.send(test, "fn_denied_ran", "the denied function ran")
  return "ran"
end }
