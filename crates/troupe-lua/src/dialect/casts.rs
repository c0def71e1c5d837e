//! The validating casts `string(x)`, `integer(x)`, `number(x)`, `boolean(x)` (WIPPY-API.md
//! §1): each returns `x` when it already is of that type, else raises `<type>(x): expected
//! <type>, got <type of x>` at the caller's line; nothing is converted (`string(5)`
//! raises). `integer` accepts a number with an integral, finite value (Luau numbers are
//! all floats).
//!
//! `string(x)` is the `__call` of a metatable on the shared `string` table; `integer`,
//! `number`, `boolean` are globals. All are installed before the sandbox seals the shared
//! state, so the metatable and the functions are frozen like the rest (`sandbox.rs`):
//! `getmetatable(string).__call = f` and `setmetatable(string, ...)` raise. The functions
//! run in the runtime's empty environment and take what they use as upvalues.

/// The cast functions, given `type, error, floor, format`; returns `string_call, integer,
/// number, boolean`.
pub const CASTS: &str = r#"
local type, error, floor, format = ...
local function fail(what, v)
  error(format("%s(x): expected %s, got %s", what, what, type(v)), 3)
end
local function string_call(_, v)
  if type(v) ~= "string" then fail("string", v) end
  return v
end
local function integer(v)
  if type(v) ~= "number" or v ~= v or v == 1/0 or v == -1/0 or floor(v) ~= v then
    fail("integer", v)
  end
  return v
end
local function number(v)
  if type(v) ~= "number" then fail("number", v) end
  return v
end
local function boolean(v)
  if type(v) ~= "boolean" then fail("boolean", v) end
  return v
end
return string_call, integer, number, boolean
"#;
