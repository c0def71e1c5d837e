//! The per-worker Luau VM. Every worker thread of a host owns one `Lua` state; each
//! process is a Luau thread in it with its own environment table (reads fall through to
//! the shared, read-only globals; writes stay private — SPEC §5 sandboxing, SPEC §3.6
//! isolation: see `sandbox.rs` for what is frozen and why). A source is
//! compiled once per worker; each process runs a `lua_clonefunction` copy of the chunk
//! bound to its own environment, so processes share bytecode but never globals.
//!
//! Preemption (SPEC §3.6): a raw Luau interrupt callback compares the kernel's epoch
//! clock with the running coroutine's deadline and yields it when the slice is used up or
//! the process was killed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::Ordering;

use mlua::{Function, Lua, Table};
use troupe_registry::{Entry, Kind, LuaSpec};

use crate::process::{PREEMPTED, SLICE};
use crate::sandbox::Shared;

thread_local! {
    static VM: RefCell<Option<Rc<Vm>>> = const { RefCell::new(None) };
}

/// One worker's Lua state and caches.
pub struct Vm {
    pub lua: Lua,
    /// Metatable `{__index = globals}` shared by every process environment.
    pub env_meta: Table,
    /// Built-in modules by name (gated by `modules`).
    pub modules: HashMap<&'static str, Table>,
    /// Compiled chunks by entry ID.
    protos: RefCell<HashMap<String, Function>>,
    /// `boot(chunk, env, method, entry_id, ...)`: runs the chunk, calls the method.
    pub boot: Function,
}

/// The calling worker's VM, created on first use.
///
/// Errors: Lua failed to initialise (memory).
pub fn vm() -> mlua::Result<Rc<Vm>> {
    if let Some(vm) = VM.with(|v| v.borrow().clone()) {
        return Ok(vm);
    }
    let vm = Rc::new(Vm::new()?);
    VM.with(|v| *v.borrow_mut() = Some(vm.clone()));
    Ok(vm)
}

/// Runs a process: load the chunk, find `method`, call it. An error object raised with
/// `error(errors.new(...))` becomes `nil, err` so the exit keeps its kind (mlua turns a
/// raised non-string value into text); other raised values are re-raised unchanged.
///
/// Isolation (SPEC §3.6, `sandbox.rs`): the shim runs in the frozen, empty runtime
/// environment and takes every builtin it uses as an argument (an upvalue), so nothing a
/// process can reach changes what it calls; `getfenv`/`setfenv` at its level answer the
/// process's own environment or refuse.
const BOOT: &str = r#"
local is_error, pcall, error, type, rawget, format = ...
local function finish(ok, ...)
  if ok then return ... end
  local e = ...
  if is_error(e) then return nil, e end
  error(e, 0)
end
return function(chunk, env, method, id, ...)
  local mod = chunk()
  local f
  if type(mod) == "table" then f = mod[method] end
  if f == nil then f = rawget(env, method) end
  if type(f) ~= "function" then
    error(format("entry %s has no function %q", id, method), 0)
  end
  return finish(pcall(f, ...))
end
"#;

impl Vm {
    fn new() -> mlua::Result<Vm> {
        let lua = Lua::new();
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
        // `print` writes through Rust's stdout so it interleaves correctly with the CLI's
        // own output (Luau's C `print` buffers separately until exit).
        let tostring: Function = globals.get("tostring")?;
        globals.set(
            "print",
            lua.create_function(move |_, args: mlua::MultiValue| {
                use std::io::Write;
                let mut line = Vec::new();
                for (i, v) in args.into_iter().enumerate() {
                    if i > 0 {
                        line.push(b'\t');
                    }
                    let s: mlua::LuaString = tostring.call(v)?;
                    line.extend_from_slice(&s.as_bytes());
                }
                line.push(b'\n');
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&line);
                let _ = out.flush();
                Ok(())
            })?,
        )?;
        let modules = crate::modules::install(&lua, &globals)?;
        let shared = Shared::new(&lua, &globals)?;
        shared.install_fenv(&lua, &globals)?;
        let env_meta = lua.create_table()?;
        env_meta.set("__index", globals.clone())?;
        lua.sandbox(true)?;
        shared.seal(
            &lua,
            modules
                .values()
                .cloned()
                .chain([globals.clone(), env_meta.clone()]),
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
                builtin("rawget")?,
                string.get::<Function>("format")?,
            ))?;
        unsafe {
            lua.exec_raw::<()>((), |state| {
                (*mlua::ffi::lua_callbacks(state)).interrupt = Some(interrupt);
            })?;
        }
        Ok(Vm {
            lua,
            env_meta,
            modules,
            protos: RefCell::new(HashMap::new()),
            boot,
        })
    }

    /// The compiled chunk of a Lua entry (cached per worker).
    ///
    /// Errors: syntax errors (already caught by `troupe check`).
    pub fn proto(&self, entry: &Entry, spec: &LuaSpec) -> mlua::Result<Function> {
        if let Some(f) = self.protos.borrow().get(&entry.id) {
            return Ok(f.clone());
        }
        let f = self
            .lua
            .load(&spec.source.text)
            .set_name(format!("={}", entry.id))
            .into_function()?;
        self.protos.borrow_mut().insert(entry.id.clone(), f.clone());
        Ok(f)
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
        other => Err(mlua::Error::runtime(format!(
            "entry {} has kind {}, not a Lua kind",
            entry.id,
            other.name()
        ))),
    }
}

/// The Luau interrupt: yield the running process coroutine when its slice is over or the
/// process has been killed. Only the coroutine the process scheduler resumed is yielded
/// (never a user `coroutine.create` one, whose resumer would see a bogus yield).
unsafe extern "C-unwind" fn interrupt(state: *mut mlua::ffi::lua_State, gc: std::ffi::c_int) {
    if gc >= 0 {
        return;
    }
    let s = SLICE.get();
    if s.running.is_null() || s.running != state as *const std::ffi::c_void {
        return;
    }
    let killed = !s.kill.is_null() && unsafe { (*s.kill).load(Ordering::Relaxed) };
    if (killed || troupe_kernel::preempt::now() >= s.deadline)
        && unsafe { mlua::ffi::lua_isyieldable(state) } != 0
        && !unsafe { in_async_wrapper(state) }
    {
        PREEMPTED.set(true);
        unsafe {
            mlua::ffi::lua_yield(state, 0);
        }
    }
}

/// Whether the running frame is mlua's async-call wrapper (`__mlua_async_poll`). A
/// preemption yield there would land between the inner future returning `Pending` (with
/// its waker registered) and the wrapper's own `yield(pending)`: a wake arriving in
/// between is consumed by the resume that then parks in `yield(pending)`, and the
/// coroutine never runs again (lost wakeup; also left its `Wait` counted as blocked,
/// which looked like a deadlock). The wrapper always reaches its yield within a few
/// instructions, so skipping preemption there costs nothing.
unsafe fn in_async_wrapper(state: *mut mlua::ffi::lua_State) -> bool {
    let mut ar = unsafe { std::mem::zeroed::<mlua::ffi::lua_Debug>() };
    let found = unsafe { mlua::ffi::lua_getinfo(state, 0, c"s".as_ptr(), &mut ar) } != 0;
    found
        && !ar.source.is_null()
        && unsafe { std::ffi::CStr::from_ptr(ar.source) } == c"=__mlua_async_poll"
}
