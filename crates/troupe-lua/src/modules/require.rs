//! `require(name)` with the `modules` gate (SPEC §2.3, §5): a name in the entry's
//! `imports` loads that `library.lua` (once per process, in a private environment whose
//! own `require` is gated by the library's lists); a built-in module is returned only if
//! the entry lists it in `modules` (or it is always available); anything else is an error
//! naming the entry and the module.

use std::rc::Rc;
use std::sync::Arc;

use mlua::{Lua, Value as LuaValue};
use troupe_registry::Entry;

use crate::modules::ALWAYS;
use crate::process::{ProcState, with_current};
use crate::vm::lua_spec;

/// The global `require`: resolves for the current process's entry.
pub fn require(lua: &Lua, name: String) -> mlua::Result<LuaValue> {
    with_current(|p| {
        let entry = p.entry.clone();
        resolve(lua, p, &entry, &name)
    })
}

fn resolve(lua: &Lua, p: &Rc<ProcState>, from: &Arc<Entry>, name: &str) -> mlua::Result<LuaValue> {
    let spec = lua_spec(from)?;
    if let Some(lib_id) = spec.imports.get(name) {
        if let Some(v) = p.libs.borrow().get(lib_id) {
            return Ok(v.clone());
        }
        let lib = p.node.entry(lib_id).ok_or_else(|| {
            mlua::Error::runtime(format!(
                "entry {}: import {name:?} refers to missing library {lib_id}",
                from.id
            ))
        })?;
        let vm = p.vm.clone();
        let env = vm.new_env()?;
        // Not a "safe" env: Luau would otherwise resolve the global `require` as a cached
        // import (the caller's gate) and bypass the library's own `require` set below.
        env.set_safeenv(false);
        let lib_for_require = lib.clone();
        env.raw_set(
            "require",
            lua.create_function(move |lua, name: String| {
                let lib = lib_for_require.clone();
                with_current(|p| resolve(lua, p, &lib, &name))
            })?,
        )?;
        let f = vm.instance(&lib, &env)?;
        let v: LuaValue = f.call(())?;
        p.libs.borrow_mut().insert(lib_id.clone(), v.clone());
        return Ok(v);
    }
    let vm = p.vm.clone();
    if let Some(t) = vm.modules.get(name) {
        if ALWAYS.contains(&name) || spec.modules.iter().any(|m| m == name) {
            return Ok(LuaValue::Table(t.clone()));
        }
        return Err(mlua::Error::runtime(format!(
            "module {name:?} is not allowed for entry {}: add it to the entry's `modules`",
            from.id
        )));
    }
    Err(mlua::Error::runtime(format!(
        "module {name:?} not found for entry {}: it is neither a built-in module nor an alias in `imports`",
        from.id
    )))
}
