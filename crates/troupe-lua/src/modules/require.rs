//! Module binding and `require`, as Wippy binds them (WIPPY-API.md §1).
//!
//! Before an entry's chunk runs, every built-in module its `modules` lists and every
//! `imports` alias (the `library.lua` it names, whose chunk runs then, once per process;
//! the alias holds its return value) is stored in the process's environment — transitively,
//! so the modules and imports of an imported library are bound too, into the same
//! environment, and the library's chunk runs in it. A listed module is therefore a bare
//! global, and `require(name)` is a plain lookup of `name` in the calling process's
//! environment (which falls through to the shared globals: `errors`, `payload`, `os`,
//! `string`, `process`, `channel`, … always resolve). A name that is neither raises
//! `module '<name>' not found`. The `modules` gate stays: a built-in module the entry does
//! not list is not bound, so it is not found.

use std::sync::Arc;

use mlua::{Lua, Table, Value as LuaValue};
use troupe_registry::{Entry, LuaSpec};

use crate::process::{ProcState, with_current};
use crate::vm::{Vm, lua_spec};

/// How many libraries one process may import, all levels together (a cycle or a runaway
/// import graph stops here with an error naming the entry).
const MAX_IMPORTS: usize = 1024;

/// The global `require(name)`: the value bound to `name` in the calling process's
/// environment, else a shared global of that name.
///
/// Errors: raises `module '<name>' not found` (with what to do about it) when neither
/// has it.
pub fn require(_: &Lua, name: mlua::LuaString) -> mlua::Result<LuaValue> {
    with_current(|p| {
        let v: LuaValue = p.env().get(&name)?;
        if !v.is_nil() {
            return Ok(v);
        }
        let name = name.to_string_lossy();
        let hint = if p.vm.modules.contains_key(name.as_str()) {
            format!(": add it to the `modules` of entry {}", p.entry().id)
        } else {
            String::new()
        };
        Err(mlua::Error::runtime(format!(
            "module '{name}' not found{hint}"
        )))
    })
}

/// Bind the built-in modules `spec` lists into `env` (a name Troupe has no module for is
/// left unbound: `troupe check` warns about it and `require` reports it).
///
/// Errors: Lua memory errors.
pub fn bind_modules(vm: &Vm, spec: &LuaSpec, env: &Table) -> mlua::Result<()> {
    for m in &spec.modules {
        if let Some(t) = vm.modules.get(m.as_str()) {
            env.raw_set(m.as_str(), t.clone())?;
        }
    }
    Ok(())
}

/// The process's imports: bind each alias of its entry (and, transitively, the modules and
/// imports of each imported library) into its environment, running each library's chunk
/// once. Called by the boot shim before the entry's chunk runs, when the entry has imports.
///
/// Errors: a missing library, more than [`MAX_IMPORTS`] libraries, or an error raised by
/// a library's chunk.
pub fn bind_imports(_: &Lua, _: ()) -> mlua::Result<()> {
    with_current(|p| {
        let entry = p.entry();
        let mut loaded = 0usize;
        bind_entry(p, &entry, &mut loaded)
    })
}

fn bind_entry(p: &ProcState, from: &Arc<Entry>, loaded: &mut usize) -> mlua::Result<()> {
    let spec = lua_spec(from)?;
    for (alias, lib_id) in &spec.imports {
        let cached = p.libs.borrow().get(lib_id).cloned();
        let v = match cached {
            Some(v) => v,
            None => {
                *loaded += 1;
                if *loaded > MAX_IMPORTS {
                    return Err(mlua::Error::runtime(format!(
                        "entry {}: more than {MAX_IMPORTS} libraries imported (is there an import cycle?)",
                        p.entry().id
                    )));
                }
                let lib = p.node.entry(lib_id).ok_or_else(|| {
                    mlua::Error::runtime(format!(
                        "entry {}: import {alias:?} refers to missing library {lib_id}",
                        from.id
                    ))
                })?;
                // Marked before it runs, so an import cycle binds what is there (nil)
                // instead of recursing.
                p.libs.borrow_mut().insert(lib_id.clone(), LuaValue::Nil);
                let env = p.env();
                bind_modules(&p.vm, lua_spec(&lib)?, &env)?;
                bind_entry(p, &lib, loaded)?;
                let f = p.vm.instance(&lib, &env)?;
                let v: LuaValue = f.call(())?;
                p.libs.borrow_mut().insert(lib_id.clone(), v.clone());
                v
            }
        };
        p.env().raw_set(alias.as_str(), v)?;
    }
    Ok(())
}
