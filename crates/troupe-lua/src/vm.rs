//! The per-worker Luau VM. Every worker thread of a host owns one `Lua` state; each
//! process is a Luau thread in it with its own environment table (reads fall through to
//! the shared, read-only globals; writes stay private — SPEC §5 sandboxing, SPEC §3.6
//! isolation: see `sandbox.rs` for what is frozen and why). A source is
//! compiled once per worker; each process runs a `lua_clonefunction` copy of the chunk
//! bound to its own environment, so processes share bytecode but never globals.
//!
//! Preemption, termination and `max_slice` (SPEC §3.6) are the interrupt callback of
//! [`crate::slice`]; `max_memory` is the allocator and memory categories of
//! [`crate::memory`]. A worker runs as many VMs ("shards") as it needs to give every live
//! process a memory category of its own ([`place`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use mlua::{Function, Lua, Table, ffi};
use troupe_registry::{Entry, Kind, LuaSpec};

use crate::memory::{Account, AllocState, Categories, Charge, Place};
use crate::sandbox::Shared;

thread_local! {
    static SHARDS: RefCell<Shards> = const { RefCell::new(Shards { vms: Vec::new(), hint: 0 }) };
}

/// The VMs of one worker.
struct Shards {
    vms: Vec<Rc<Vm>>,
    /// The VM that gave the last category.
    hint: usize,
}

/// One worker's Lua state and caches.
pub struct Vm {
    pub lua: Lua,
    /// The VM's main thread.
    pub(crate) main: *mut ffi::lua_State,
    /// Its allocator state (the memory limit of the running process).
    pub(crate) alloc: *mut AllocState,
    /// Its process memory categories not in use.
    pub(crate) cats: Categories,
    /// Metatable `{__index = globals}` shared by every process environment.
    pub env_meta: Table,
    /// Built-in modules by name (gated by `modules`).
    pub modules: HashMap<&'static str, mlua::Value>,
    /// Compiled chunks by entry ID.
    protos: RefCell<HashMap<String, Function>>,
    /// `boot(chunk, env, method, entry_id, ...)`: runs the chunk, calls the method.
    pub boot: Function,
    /// `modules::require::bind_imports`, passed to [`BOOT`] for entries with imports.
    pub bind_imports: Function,
}

/// Allocation (KiB) between two incremental steps of a VM's collector (Luau's default: 1).
/// A message round trip allocates a few hundred bytes, so with 1 KiB a step ran every few
/// messages, each with its fixed cost.
const GC_STEP_SIZE_KB: i32 = 16;

/// Collector work (KiB) a spawn may do when no free category is clean enough to reuse.
const GC_STEP_KB: i32 = 1024;

/// A VM of the calling worker for a new process, and where in it the process allocates
/// (a bucket when `bucketed`, else a category of its own; see [`crate::memory`]): the VM
/// that gave the last place if it has another, else any other VM of this worker, else that
/// VM again after a bounded step of its collector, else a new VM.
///
/// Errors: a new VM failed to initialise (memory).
pub(crate) fn place(bucketed: bool) -> mlua::Result<(Rc<Vm>, Place)> {
    SHARDS.with(|s| {
        let mut s = s.borrow_mut();
        let n = s.vms.len();
        for k in 0..n {
            let i = (s.hint + k) % n;
            let vm = &s.vms[i];
            if let Some(p) = vm.cats.place(vm.main, bucketed) {
                let vm = vm.clone();
                s.hint = i;
                return Ok((vm, p));
            }
        }
        if n > 0 {
            // Free categories that still hold too much of their last owners' garbage: a
            // bounded step of the collector (not a full collection: after 100,000 idle
            // processes ended that took 125–186 ms, holding the worker), then look again.
            let vm = s.vms[s.hint].clone();
            if vm.cats.any_free() {
                let _vm_own =
                    unsafe { Charge::new(Account::NONE, vm.alloc, vm.main, std::ptr::null_mut()) };
                unsafe { ffi::lua_gc(vm.main, ffi::LUA_GCSTEP, GC_STEP_KB) };
                if let Some(p) = vm.cats.place(vm.main, bucketed) {
                    return Ok((vm, p));
                }
            }
        }
        let vm = Rc::new(Vm::new()?);
        let p = vm
            .cats
            .place(vm.main, bucketed)
            .ok_or_else(|| mlua::Error::runtime("a new Lua VM has no free memory category"))?;
        s.vms.push(vm.clone());
        s.hint = s.vms.len() - 1;
        tracing::debug!(vms = s.vms.len(), "new Lua VM on this worker");
        Ok((vm, p))
    })
}

/// Runs a process: bind its imports (when it has any, `bind` is the function that does it,
/// see `modules/require.rs`), run the chunk, find the entry point and call it. As Wippy: a
/// chunk that returns a function has that as its entry point, whatever `method` says; one
/// that returns a table has `tbl[method]`; globals are not searched. An error object raised
/// with `error(errors.new(...))` becomes `nil, err` so the exit keeps its kind (mlua turns
/// a raised non-string value into text); other raised values are re-raised unchanged.
///
/// Isolation (SPEC §3.6, `sandbox.rs`): the shim runs in the frozen, empty runtime
/// environment and takes every builtin it uses as an argument (an upvalue), so nothing a
/// process can reach changes what it calls; `getfenv`/`setfenv` at its level answer the
/// process's own environment or refuse.
const BOOT: &str = r#"
local is_error, pcall, error, type, format = ...
local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if is_error(e) then return nil, e end
  error(e, 0)
end
return function(chunk, env, method, id, bind, ...)
  if bind then bind() end
  local mod = chunk()
  local f
  if type(mod) == "function" then
    f = mod
  elseif type(mod) == "table" then
    f = mod[method]
  end
  if type(f) ~= "function" then
    error(format("entry %s: method %q not found (the source must return a function, or a table with a function %q)", id, method, method), 0)
  end
  return finish(pcall(f, ...))
end
"#;

/// Wraps each function of the global `string` table so that it accepts an error object
/// wherever it expects a string, using the error's message (WIPPY-API.md §4). Real strings
/// never reach the wrapper on Luau's fast path (a builtin call such as `string.find(s, p)`
/// runs the C function directly and only falls back to the table's value when an argument
/// is not what the builtin takes), and method calls on strings (`s:upper()`) go through the
/// string metatable, which keeps the original functions.
const STRING_WRAP: &str = r#"
local message_of, type, pack, unpack = ...
return function(orig)
  return function(...)
    local a, b, c = ...
    if type(a) ~= "userdata" and type(b) ~= "userdata" and type(c) ~= "userdata" then
      return orig(...)
    end
    -- Exactly the arguments given (a builtin tells a missing argument from a nil one).
    local args = pack(...)
    for i = 1, (args.n < 3 and args.n or 3) do
      if type(args[i]) == "userdata" then args[i] = message_of(args[i]) or args[i] end
    end
    return orig(unpack(args, 1, args.n))
  end
end
"#;

impl Vm {
    fn new() -> mlua::Result<Vm> {
        let lua = Lua::new();
        // No callback runs yet: the thread mlua uses is the main thread.
        let main = state_now(&lua)?;
        let alloc = AllocState::of(&lua, main)?;
        // Whatever process is running on this worker, the VM's own objects are nobody's.
        let _vm_own = unsafe { Charge::new(Account::NONE, alloc, main, std::ptr::null_mut()) };
        let globals = lua.globals();
        // Remove what SPEC §5 forbids.
        globals.set("loadstring", mlua::Value::Nil)?;
        globals.set("load", mlua::Value::Nil)?;
        globals.set("dofile", mlua::Value::Nil)?;
        globals.set("loadfile", mlua::Value::Nil)?;
        if let Ok(debug) = globals.get::<Table>("debug") {
            let safe = lua.create_table()?;
            safe.set("traceback", debug.get::<mlua::Value>("traceback")?)?;
            globals.set("debug", safe)?;
        }
        // As Wippy: `print` emits one info log record (target `lua`, with `pid` and
        // `location`) of its arguments converted plainly (strings, numbers and errors give
        // their text; nil, booleans, tables and other values give ""; no `__tostring`),
        // joined by one space.
        globals.set(
            "print",
            lua.create_function(|lua, args: mlua::MultiValue| {
                let mut line = String::new();
                for (i, v) in args.iter().enumerate() {
                    if i > 0 {
                        line.push(' ');
                    }
                    match v {
                        mlua::Value::String(s) => line.push_str(&s.to_string_lossy()),
                        mlua::Value::Integer(n) => line.push_str(&n.to_string()),
                        mlua::Value::Number(n) => line.push_str(&crate::convert::number_text(*n)),
                        other => {
                            if let Some(m) = crate::modules::errors::message_of(other) {
                                line.push_str(&m);
                            }
                        }
                    }
                }
                crate::modules::logger::print_record(lua, &line);
                Ok(())
            })?,
        )?;
        install_coroutine(&lua, &globals)?;
        // Received messages and payloads: tagged userdata with raw methods (`tagged.rs`).
        crate::modules::payload::install(&lua)?;
        crate::process::install_message(&lua)?;
        // The original `string` table stays the string metatable's `__index`: sealed below
        // with the rest (it is reachable only through `getmetatable("")`).
        let string_methods = install_string(&lua, &globals)?;
        globals.set(
            "collectgarbage",
            lua.create_function(|_, opt: Option<String>| match opt.as_deref() {
                None | Some("count") => Ok(crate::memory::current().used() as f64 / 1024.0),
                Some(other) => Err(mlua::Error::runtime(format!(
                    "collectgarbage({other:?}) is not available to a process; only \"count\" (its own heap in KiB)"
                ))),
            })?,
        )?;
        let modules = crate::modules::install(&lua, &globals)?;
        let shared = Shared::new(&lua, &globals)?;
        shared.install_fenv(&lua, &globals)?;
        shared.install_casts(&lua, &globals)?;
        let env_meta = lua.create_table()?;
        env_meta.set("__index", globals.clone())?;
        lua.sandbox(true)?;
        shared.seal(
            &lua,
            modules
                .values()
                .filter_map(|v| v.as_table().cloned())
                .chain([globals.clone(), env_meta.clone(), string_methods]),
        )?;
        let is_error = lua.create_function(|_, v: mlua::Value| {
            Ok(matches!(&v, mlua::Value::UserData(u) if u.is::<crate::modules::errors::LuaError>()))
        })?;
        let string: Table = globals.get("string")?;
        let builtin = |name: &str| globals.get::<Function>(name);
        let boot: Function = lua
            .load(BOOT)
            .set_name("=troupe:boot")
            .set_environment(shared.runtime_env().clone())
            .call((
                is_error,
                builtin("pcall")?,
                builtin("error")?,
                builtin("type")?,
                string.get::<Function>("format")?,
            ))?;
        let bind_imports = lua.create_function(crate::modules::require::bind_imports)?;
        unsafe {
            (*ffi::lua_callbacks(main)).interrupt = Some(crate::slice::interrupt);
            // The collector's step: GC_STEP_SIZE_KB of allocation between steps instead of
            // Luau's 1 KiB (the same work in fewer, larger steps; the pause, hence the
            // heap's size, is unchanged).
            ffi::lua_gc(main, ffi::LUA_GCSETSTEPSIZE, GC_STEP_SIZE_KB);
        }
        Ok(Vm {
            lua,
            main,
            alloc,
            cats: Categories::new(),
            env_meta,
            modules,
            protos: RefCell::new(HashMap::new()),
            boot,
            bind_imports,
        })
    }

    /// The compiled chunk of a Lua entry (cached per worker).
    ///
    /// Errors: syntax errors (already caught by `troupe check`).
    pub fn proto(&self, entry: &Entry, spec: &LuaSpec) -> mlua::Result<Function> {
        if let Some(f) = self.protos.borrow().get(&entry.id) {
            return Ok(f.clone());
        }
        // Compiled code is shared by every process of this VM: the VM's own memory.
        let _vm_own =
            unsafe { Charge::new(Account::NONE, self.alloc, self.main, self.current_state()?) };
        // Wippy's typed-Lua dialect, rewritten to Luau with the same lines (`dialect`).
        let text =
            crate::dialect::rewrite(&spec.source.text).map_err(|e| mlua::Error::SyntaxError {
                message: format!("{}:{}: {e}", entry.id, e.line()),
                incomplete_input: false,
            })?;
        let f = self
            .lua
            .load(text.as_ref())
            .set_name(format!("={}", entry.id))
            .into_function()?;
        self.protos.borrow_mut().insert(entry.id.clone(), f.clone());
        Ok(f)
    }

    /// The thread mlua allocates on in this VM right now: the calling coroutine inside a
    /// callback, else the main thread. (Not through `exec_raw`: that is a protected call,
    /// a tenth of a spawn.)
    ///
    /// Errors: none today; kept fallible for the callers.
    pub(crate) fn current_state(&self) -> mlua::Result<*mut ffi::lua_State> {
        Ok(self.lua.current_thread().to_pointer() as *mut ffi::lua_State)
    }

    /// mlua's fast paths on this VM for a constant-size build ([`crate::memory::Unguarded`]).
    pub(crate) fn fast(&self) -> crate::memory::Unguarded {
        crate::memory::Unguarded::new(&self.lua, self.alloc)
    }

    /// A fresh private environment table: reads fall through to the shared, frozen
    /// globals; writes (`x = 1`) stay in it. `_G` is the shared globals, read-only.
    pub fn new_env(&self) -> mlua::Result<Table> {
        let env = self.lua.create_table()?;
        env.set_metatable(Some(self.env_meta.clone()))?;
        env.set_safeenv(true);
        Ok(env)
    }

    /// A chunk instance bound to `env` (shares bytecode with other instances).
    pub fn instance(&self, entry: &Entry, env: &Table) -> mlua::Result<Function> {
        let spec = lua_spec(entry)?;
        let f = self.proto(entry, spec)?.deep_clone()?;
        f.set_environment(env.clone())?;
        Ok(f)
    }
}

/// The Lua fields of a Lua entry.
///
/// Errors: the entry is not a Lua kind.
pub fn lua_spec(entry: &Entry) -> mlua::Result<&LuaSpec> {
    match &entry.kind {
        Kind::ProcessLua(s) | Kind::FunctionLua(s) | Kind::LibraryLua(s) => Ok(s),
        Kind::Unimplemented(kind) => Err(mlua::Error::runtime(format!(
            "entry {} has kind {kind}, which Troupe does not implement; expected a Lua entry",
            entry.id
        ))),
        other => Err(mlua::Error::runtime(format!(
            "entry {} has kind {}, not a Lua kind",
            entry.id,
            other.name()
        ))),
    }
}

/// The thread `lua` allocates on right now.
///
/// Errors: Lua memory errors.
fn state_now(lua: &Lua) -> mlua::Result<*mut ffi::lua_State> {
    let out = std::cell::Cell::new(std::ptr::null_mut());
    unsafe { lua.exec_raw::<()>((), |state| out.set(state))? };
    Ok(out.get())
}

/// `coroutine.resume` and `coroutine.wrap` replaced by [`crate::slice::COROUTINE`], so user
/// coroutines are preempted and may block; `table.move` and `table.sort` by
/// [`crate::slice::TABLE`], so they can be stopped.
///
/// Errors: Lua memory errors.
fn install_coroutine(lua: &Lua, globals: &Table) -> mlua::Result<()> {
    let co: Table = globals.get("coroutine")?;
    let raw = |name: &str| co.get::<Function>(name);
    crate::block::install(lua, raw("yield")?)?;
    let args = (
        raw("resume")?,
        raw("yield")?,
        raw("create")?,
        raw("isyieldable")?,
        mlua::LightUserData(crate::slice::preempt_mark()),
        crate::block::block_mark(),
    );
    replace_pair(
        lua,
        &co,
        "coroutine",
        crate::slice::COROUTINE,
        args,
        ["resume", "wrap"],
    )?;
    let table: Table = globals.get("table")?;
    let args = (
        table.get::<Function>("move")?,
        table.get::<Function>("sort")?,
    );
    replace_pair(
        lua,
        &table,
        "table",
        crate::slice::TABLE,
        args,
        ["move", "sort"],
    )
}

/// Replace the global `string` table by one whose functions are [`STRING_WRAP`] wrappers
/// of the originals (the string metatable's `__index` keeps the originals).
///
/// Errors: Lua memory errors.
fn install_string(lua: &Lua, globals: &Table) -> mlua::Result<Table> {
    let orig: Table = globals.get("string")?;
    let message_of =
        lua.create_function(|_, v: mlua::Value| Ok(crate::modules::errors::message_of(&v)))?;
    let table: Table = globals.get("table")?;
    let make: Function = lua.load(STRING_WRAP).set_name("=troupe:string").call((
        message_of,
        globals.get::<Function>("type")?,
        table.get::<Function>("pack")?,
        table.get::<Function>("unpack")?,
    ))?;
    let wrapped = lua.create_table()?;
    for pair in orig.pairs::<mlua::Value, mlua::Value>() {
        let (k, v) = pair?;
        match v {
            mlua::Value::Function(f) => wrapped.raw_set(k, make.call::<Function>(f)?)?,
            other => wrapped.raw_set(k, other)?,
        }
    }
    globals.set("string", wrapped)?;
    Ok(orig)
}

/// Run the chunk `src` (named `=troupe:NAME`) with `args` and set the two functions it
/// returns as `keys` of `lib`.
///
/// Errors: Lua memory errors.
fn replace_pair(
    lua: &Lua,
    lib: &Table,
    name: &str,
    src: &str,
    args: impl mlua::IntoLuaMulti,
    keys: [&str; 2],
) -> mlua::Result<()> {
    let make: Function = lua
        .load(src)
        .set_name(format!("=troupe:{name}"))
        .into_function()?;
    let (a, b): (Function, Function) = make.call(args)?;
    lib.set(keys[0], a)?;
    lib.set(keys[1], b)
}
