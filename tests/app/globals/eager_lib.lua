-- A library whose chunk leaves a mark in the importer's globals when it runs.
EAGER_MARK = (EAGER_MARK or 0) + 1
return { value = "eager library" }
