-- Left-pads a string with dots.
return {
  left = function(s, n)
    return string.rep(".", n - #s) .. s
  end,
}
