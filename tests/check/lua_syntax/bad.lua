local function main()
  return 1
  SYNTAX_ERROR
end
return { main = main }
