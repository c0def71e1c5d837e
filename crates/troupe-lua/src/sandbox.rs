//! The process sandbox (SPEC §3.6 Isolation): everything a process's code can reach is
//! either that process's own or read-only, so a change one process makes is never seen by
//! another process on the same worker.
//!
//! All processes of a worker share one Luau VM (`vm.rs`), so everything the runtime puts
//! into it is shared: the globals and the standard library, the module tables `require`
//! returns and their sub-tables, the string metatable, and the runtime's own Lua functions
//! (the boot shim, mlua's async-call wrappers, the `getfenv`/`setfenv` wrappers below).
//! The rules, and where each is enforced:
//!
//! - **Shared tables are frozen.** [`Shared::seal`] runs once per VM, after the modules
//!   are installed and Luau's sandbox is on, and freezes (Luau `table.freeze`, mlua
//!   `set_readonly`) every table reachable from the globals, the module tables and the
//!   process-environment metatable: values, keys, metatables and the environments of Lua
//!   functions. Assignment, `rawset`, `setmetatable` and `table.insert`… on any of them
//!   raise `attempt to modify a readonly table`. Nothing is added to the shared state
//!   after sealing (module functions return fresh tables, which the caller owns).
//! - **Shared environments are never handed out.** The shared environments are the real
//!   globals, the main thread's sandbox proxy (the globals table of every thread) and the
//!   runtime environment (an empty frozen table the boot shim and the wrappers run in).
//!   `getfenv` and `setfenv` are replaced by wrappers (`FENV`) that keep Luau's level
//!   numbering: `getfenv` of a builtin (a C function, or a runtime function whose
//!   environment is one of the shared ones) and `getfenv(0)` answer the calling process's
//!   own environment (as Luau answers the thread's globals for a C function);
//!   `setfenv` on a builtin, on any function whose environment is frozen (defence in
//!   depth: every shared environment is frozen), and `setfenv(0)` (a thread's globals,
//!   which mlua also uses as the environment of the wrappers it creates lazily), is an
//!   error. So `getfenv(n)` at
//!   any level reaches only the process's environment, its library environments, or a
//!   table the process itself gave to `setfenv`.
//! - **Userdata metatables are locked.** mlua sets `__metatable = false` on the metatable
//!   of every userdata type it registers (channels, errors, messages, payloads, timers,
//!   futures, builders, scopes, policies, time values), so `getmetatable(ud)` is `false`
//!   and the metatable (with its method table) cannot be reached from Lua.
//! - **Upvalues are unreachable.** `debug` has only `traceback` (`vm.rs`), so no shared
//!   function's upvalues (the raw `getfenv`, the boot shim's helpers) can be read or set.
//! - **What stays writable is the process's own:** its environment (process-local globals;
//!   `_G` is the shared globals, frozen like the rest), the environment and the returned value of each `library.lua` it
//!   `require`s (instantiated once per process, `modules/require.rs`), and every table its
//!   code or a module call creates.

use std::collections::HashSet;
use std::ffi::c_void;

use mlua::{Function, Lua, Table, Value};

use crate::process::with_current;

/// The `getfenv`/`setfenv` wrappers. Arguments: the raw Luau functions, a function that
/// returns the current process's environment, the set of shared environments (keys), and
/// the few builtins the wrappers use (upvalues, so nothing is looked up in an environment).
///
/// Levels: a number (or numeric string) counts frames from the caller as in Luau; a
/// wrapper is one Lua frame, so level `n` is `n + 1` for the raw function (`n + 2` under
/// the `pcall` that `setfenv` uses to reword a bad level). Luau has no tail calls, so the
/// wrapper frame is always there.
const FENV: &str = r#"
local raw_getfenv, raw_setfenv, process_env, shared, rawget, isfrozen, type, tonumber, tostring, error, pcall = ...

local function getfenv(target)
  if target == nil then target = 1 end
  if type(target) ~= "function" then
    local n = tonumber(target)
    if n == 0 then return process_env() end
    if n ~= nil and n > 0 then target = n + 1 end
  end
  local env = raw_getfenv(target)
  if rawget(shared, env) then return process_env() end
  return env
end

local function setfenv(target, env)
  if type(env) ~= "table" then
    error("bad argument #2 to 'setfenv' (table expected, got " .. type(env) .. ")", 2)
  end
  local probe = target
  if type(target) ~= "function" then
    local n = tonumber(target)
    if n == 0 then
      error("setfenv(0): a process cannot replace its thread's global environment", 2)
    end
    if n ~= nil and n > 0 then
      target = n + 1
      probe = n + 2
    end
  end
  local ok, current = pcall(raw_getfenv, probe)
  if not ok then error("setfenv: " .. tostring(current), 2) end
  if rawget(shared, current) then
    error("setfenv: cannot change the environment of a built-in function: it is shared by every process on the worker", 2)
  end
  if isfrozen(current) then
    error("setfenv: cannot change the environment of a function whose environment is frozen", 2)
  end
  local f = raw_setfenv(target, env)
  return f
end

return getfenv, setfenv
"#;

/// The VM's shared environments and the runtime environment.
pub struct Shared {
    /// Shared environments as keys (`set[t] == true`); an upvalue of the wrappers.
    set: Table,
    /// The empty, frozen environment of the runtime's own Lua functions.
    runtime_env: Table,
}

impl Shared {
    /// Record the real globals and create the runtime environment. Call before
    /// `lua.sandbox(true)`, while the globals are still writable.
    ///
    /// Errors: Lua memory errors.
    pub fn new(lua: &Lua, globals: &Table) -> mlua::Result<Shared> {
        let set = lua.create_table()?;
        let runtime_env = lua.create_table()?;
        set.raw_set(globals.clone(), true)?;
        set.raw_set(runtime_env.clone(), true)?;
        Ok(Shared { set, runtime_env })
    }

    /// The environment for the runtime's own Lua chunks (the boot shim): empty and frozen
    /// after [`Shared::seal`], so such a chunk must take what it uses as arguments.
    pub fn runtime_env(&self) -> &Table {
        &self.runtime_env
    }

    /// Replace `getfenv` and `setfenv` in `globals` with the wrappers of `FENV`.
    ///
    /// Errors: Lua memory errors; the globals have no `getfenv`/`setfenv` (not Luau).
    pub fn install_fenv(&self, lua: &Lua, globals: &Table) -> mlua::Result<()> {
        // Handing the environment out deoptimises it, as Luau's `getfenv` does: the
        // process may now change what its builtins resolve to.
        let process_env = lua.create_function(|_, ()| {
            with_current(|p| {
                let env = p.env();
                env.set_safeenv(false);
                Ok(env)
            })
        })?;
        let builtin = |name: &str| globals.raw_get::<Function>(name);
        let (getfenv, setfenv): (Function, Function) = lua
            .load(FENV)
            .set_name("=troupe:fenv")
            .set_environment(self.runtime_env.clone())
            .call((
                builtin("getfenv")?,
                builtin("setfenv")?,
                process_env,
                self.set.clone(),
                builtin("rawget")?,
                globals
                    .raw_get::<Table>("table")?
                    .raw_get::<Function>("isfrozen")?,
                builtin("type")?,
                builtin("tonumber")?,
                builtin("tostring")?,
                builtin("error")?,
                builtin("pcall")?,
            ))?;
        globals.raw_set("getfenv", getfenv)?;
        globals.raw_set("setfenv", setfenv)?;
        Ok(())
    }

    /// Install the dialect's runtime parts (`dialect::casts`, `dialect::runtime`): the
    /// `__call` metatable of the shared `string` table, the globals `integer`, `number`,
    /// `boolean` and the type constructor. Call before sealing, which freezes them with the
    /// rest; the cast functions run in the runtime environment.
    ///
    /// Errors: Lua memory errors.
    pub fn install_casts(&self, lua: &Lua, globals: &Table) -> mlua::Result<()> {
        let string: Table = globals.raw_get("string")?;
        let math: Table = globals.raw_get("math")?;
        let (string_call, integer, number, boolean): (Function, Function, Function, Function) = lua
            .load(crate::dialect::casts::CASTS)
            .set_name("=troupe:casts")
            .set_environment(self.runtime_env.clone())
            .call((
                globals.raw_get::<Function>("type")?,
                globals.raw_get::<Function>("error")?,
                math.raw_get::<Function>("floor")?,
                string.raw_get::<Function>("format")?,
            ))?;
        let meta = lua.create_table()?;
        meta.raw_set("__call", string_call)?;
        string.set_metatable(Some(meta))?;
        globals.raw_set("integer", integer)?;
        globals.raw_set("number", number)?;
        globals.raw_set("boolean", boolean)?;
        crate::dialect::runtime::install(lua, globals)
    }

    /// After `lua.sandbox(true)`: record the main thread's globals (the sandbox proxy every
    /// thread inherits) as shared, then freeze everything reachable from it, from
    /// `roots` (module tables, the environment metatable) and the shared set itself.
    /// Returns how many tables were frozen.
    ///
    /// Errors: Lua memory errors.
    pub fn seal(&self, lua: &Lua, roots: impl IntoIterator<Item = Table>) -> mlua::Result<usize> {
        let proxy = lua.globals();
        self.set.raw_set(proxy.clone(), true)?;
        let mut all: Vec<Value> = vec![
            Value::Table(proxy),
            Value::Table(self.set.clone()),
            Value::Table(self.runtime_env.clone()),
        ];
        all.extend(roots.into_iter().map(Value::Table));
        freeze(all)
    }
}

/// Freeze every table reachable from `roots`: table keys and values, metatables (read
/// raw, ignoring `__metatable`) and the environments of Lua functions. Returns how many
/// tables were frozen. Iterative, so a deep structure cannot overflow the stack.
///
/// Errors: Lua memory errors.
pub fn freeze(roots: Vec<Value>) -> mlua::Result<usize> {
    let mut seen: HashSet<*const c_void> = HashSet::new();
    let mut stack = roots;
    let mut frozen = 0;
    while let Some(v) = stack.pop() {
        match v {
            Value::Table(t) => {
                if !seen.insert(t.to_pointer()) {
                    continue;
                }
                if let Some(mt) = t.metatable() {
                    stack.push(Value::Table(mt));
                }
                t.for_each::<Value, Value>(|k, v| {
                    stack.push(k);
                    stack.push(v);
                    Ok(())
                })?;
                if !t.is_readonly() {
                    t.set_readonly(true);
                    frozen += 1;
                }
            }
            Value::Function(f) => {
                if !seen.insert(f.to_pointer()) {
                    continue;
                }
                if let Some(env) = f.environment() {
                    stack.push(Value::Table(env));
                }
            }
            _ => {}
        }
    }
    Ok(frozen)
}
