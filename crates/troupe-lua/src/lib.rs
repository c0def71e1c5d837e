//! Troupe's Luau host (SPEC §5): runs `process.lua` and `function.lua` entries as kernel
//! processes and provides the Lua modules. Plugs into the kernel as a
//! [`troupe_kernel::Runtime`] ([`LuaRuntime`]); also offers the Lua syntax check the
//! registry uses ([`LuaChecker`]).

mod block;
pub mod channel;
pub mod convert;
pub mod dialect;
pub mod limits;
pub mod memory;
pub mod modules;
pub mod process;
pub mod sandbox;
pub mod slice;
mod tagged;
pub mod vm;

/// Validated durations and sizes from user code (SPEC §3.6 "Bad input").
pub mod duration;

use std::rc::Rc;

use mlua::MultiValue;
use troupe_kernel::{ErrorKind, ProcessBody, ProcessContext, ProcessError, Runtime};

pub use process::error_to_process;
use process::{Coroutine, LuaProcess, ProcLimits, ProcState};

/// The Lua runtime: kinds `process.lua` and `function.lua`.
#[derive(Debug, Default)]
pub struct LuaRuntime;

impl Runtime for LuaRuntime {
    fn kinds(&self) -> &'static [&'static str] {
        &["process.lua", "function.lua"]
    }

    fn start(&self, ctx: ProcessContext) -> Result<ProcessBody, ProcessError> {
        let limits = ProcLimits::of(&ctx.node, &ctx.entry);
        // Set when the start itself (its arguments) went over `max_memory`.
        let doom = std::cell::Cell::new(slice::Doom::None);
        let start = || -> mlua::Result<ProcessBody> {
            let bucketed = limits.max_memory >= memory::BUCKET_MIN_LIMIT;
            let (vm, place) = vm::place(bucketed)?;
            let ledger = Rc::new(memory::Ledger::new(place));
            // If the start fails, the categories go back at once.
            let mut release = Release(&vm, Some(ledger.clone()));
            // The runtime's own part of a start is a constant-size build: on mlua's fast
            // path (see `memory::Unguarded`), which large arguments leave.
            let mut fast = Some(vm.fast());
            // Everything made here is the new process's (its env, its thread, its args).
            let _charge = unsafe {
                memory::Charge::new(
                    memory::Account {
                        alloc: vm.alloc,
                        main: vm.main,
                        cats: &vm.cats,
                        ledger: &*ledger,
                        limit: limits.max_memory,
                        held: std::ptr::null(),
                        doom: &doom,
                    },
                    vm.alloc,
                    vm.main,
                    vm.current_state()?,
                )
            };
            let made = make(&ctx, &vm, ledger.cur.get(), &mut fast);
            // A refused allocation (or one past the limit) dooms the start.
            memory::check();
            let (thread, args, env) = made?;
            drop(fast);
            release.1 = None;
            let st = Rc::new(ProcState::new(
                (vm.clone(), ledger),
                limits,
                ctx.node.clone(),
                ctx.handle.clone(),
                ctx.entry.clone(),
                env,
            ));
            Ok(Box::pin(LuaProcess::new(
                vm.lua.clone(),
                st,
                Coroutine::new(true, &thread),
                args,
            )))
        };
        let started = start();
        if doom.get() != slice::Doom::None {
            // Refused or over the limit: either way nothing runs (a body made is dropped,
            // which gives its category back).
            return Err(ProcessError::new(
                ErrorKind::Internal,
                format!(
                    "cannot start {}: max_memory exceeded by its arguments (limit {} bytes)",
                    ctx.entry.id, limits.max_memory
                ),
            ));
        }
        started.map_err(|e| {
            let mut pe = error_to_process(&e);
            if pe.kind == ErrorKind::Internal {
                pe.message = format!("cannot start {}: {}", ctx.entry.id, pe.message);
            }
            pe
        })
    }
}

/// The new process's environment, its main thread (running the boot shim) and the
/// shim's arguments (chunk, env, method, entry ID, the caller's arguments), made in its
/// memory category `cat` of `vm`.
///
/// `fast` is dropped (mlua's protected paths again) before arguments over
/// [`memory::SMALL_BUILD`] (all together) are converted.
///
/// Errors: Lua memory errors (a refused allocation included).
fn make(
    ctx: &ProcessContext,
    vm: &vm::Vm,
    cat: u8,
    fast: &mut Option<memory::Unguarded>,
) -> mlua::Result<(mlua::Thread, MultiValue, mlua::Table)> {
    if !troupe_kernel::copy::all_within(&ctx.args, memory::SMALL_BUILD) {
        *fast = None;
    }
    boot_thread(vm, &ctx.entry, &ctx.args, cat)
}

/// The environment, main thread and boot arguments of `entry`'s code run with `args`, in
/// memory category `cat` (a start, or `process.upgrade`).
///
/// Errors: Lua memory errors; `entry` is not a Lua entry.
pub(crate) fn boot_thread(
    vm: &vm::Vm,
    entry: &troupe_registry::Entry,
    args_in: &[troupe_kernel::Value],
    cat: u8,
) -> mlua::Result<(mlua::Thread, MultiValue, mlua::Table)> {
    let spec = vm::lua_spec(entry)?;
    let method = spec.method.clone().unwrap_or_else(|| "main".to_string());
    let env = vm.new_env()?;
    modules::require::bind_modules(vm, spec, &env)?;
    let chunk = vm.instance(entry, &env)?;
    let thread = vm.lua.create_thread(vm.boot.clone())?;
    let mut args = MultiValue::new();
    args.push_back(mlua::Value::Function(chunk));
    args.push_back(mlua::Value::Table(env.clone()));
    args.push_back(mlua::Value::String(vm.lua.create_string(&method)?));
    args.push_back(mlua::Value::String(vm.lua.create_string(&entry.id)?));
    args.push_back(if spec.imports.is_empty() {
        mlua::Value::Nil
    } else {
        mlua::Value::Function(vm.bind_imports.clone())
    });
    for a in args_in {
        args.push_back(convert::to_lua(&vm.lua, a)?);
    }
    unsafe { mlua::ffi::lua_setmemcat(thread_state(&thread), i32::from(cat)) };
    Ok((thread, args, env))
}

/// Gives a new process's categories back to its VM unless forgotten (a failed start).
struct Release<'a>(&'a vm::Vm, Option<Rc<memory::Ledger>>);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.1.take() {
            l.release(&self.0.cats);
        }
    }
}

/// The raw state of a Luau thread.
pub(crate) fn thread_state(t: &mlua::Thread) -> *mut mlua::ffi::lua_State {
    t.to_pointer() as *mut mlua::ffi::lua_State
}

/// Compile-checks Lua sources for `troupe check` (SPEC §2.2).
pub struct LuaChecker {
    lua: mlua::Lua,
}

impl Default for LuaChecker {
    fn default() -> Self {
        LuaChecker {
            lua: mlua::Lua::new(),
        }
    }
}

impl troupe_registry::SourceChecker for LuaChecker {
    fn check_lua(&self, source: &str) -> Result<(), (usize, String)> {
        // Wippy's typed-Lua dialect first (same lines, so Luau's lines are the user's).
        let source = crate::dialect::rewrite(source)
            .map_err(|e| (e.line(), format!("typed-Lua dialect: {e}")))?;
        match self
            .lua
            .load(source.as_ref())
            .set_name("=source")
            .into_function()
        {
            Ok(_) => Ok(()),
            Err(mlua::Error::SyntaxError { message, .. }) => {
                // Luau messages look like `source:12: expected ...`.
                let rest = message.strip_prefix("source:").unwrap_or(&message);
                let (line, msg) = match rest.split_once(':') {
                    Some((l, m)) => match l.trim().parse::<usize>() {
                        Ok(n) => (n, m.trim().to_string()),
                        Err(_) => (1, message.clone()),
                    },
                    None => (1, message.clone()),
                };
                Err((line, msg))
            }
            Err(e) => Err((1, e.to_string())),
        }
    }
}
