-- A library only registry.get reads (its source is inlined into the entry's data).
return { answer = 42 }
