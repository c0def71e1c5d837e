//! The `system` module (WIPPY-API.md §10.3): what a process may learn about the node it
//! runs on. Every function returns `value, nil` or `nil, err`; a denial is kind
//! **`Invalid`** (as Wippy's `system` module).
//!
//! | table | functions | permission |
//! |---|---|---|
//! | `supervisor` | `state(id)`, `states()` ([`supervisor`]) | `system.read` on `supervisor` |
//! | `memory` | `stats()`, `allocated()`, `heap_objects()`, `get_limit()`, `set_limit(n)` ([`memory`]) | `system.read` on `memory` (`set_limit`: refused) |
//! | `gc` | `collect()`, `get_percent()`, `set_percent(p)` ([`memory`]) | — (`set_percent`: refused) |
//! | `runtime` | `goroutines()`, `max_procs([n])`, `cpu_count()` ([`host`]) | — |
//! | `process` | `pid()`, `hostname()`, `cwd()` ([`host`]) | — |
//! | `hosts` | `list()`, `processes(host)` ([`host`]) | `system.read` on `hosts` |
//! | | `exit([code])` | `system.exit` on the code (as text) |
//! | | `modules()` | — |
//!
//! `exit(code)` asks the node to stop in order (services in reverse dependency order, as
//! after SIGTERM; `troupe run` then exits with `code`, 0..=255, default 0) and returns
//! `true, nil`; the caller is stopped with everything else. Wippy's `node.*`,
//! `cluster.*`, `raft.*` and `lock.*` are left out: Troupe runs one node (distribution is
//! a later issue).

pub mod host;
pub mod memory;
pub mod supervisor;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;

use crate::modules::errors::nil_error;
use crate::process::{ProcState, with_current};

/// `Err(nil, err)` (kind `Invalid`, as Wippy's `system` denials) when the current
/// process may not do `action` on `resource`.
///
/// Errors: outside a process; Lua memory errors.
pub(crate) fn allowed(
    lua: &Lua,
    action: &str,
    resource: &str,
) -> mlua::Result<Result<(), MultiValue>> {
    with_current(|p| {
        match p
            .node
            .check(Some(&p.handle), action, || resource.to_string())
        {
            Ok(()) => Ok(Ok(())),
            Err(e) => Ok(Err(nil_error(lua, ErrorKind::Invalid, e.to_string())?)),
        }
    })
}

/// `system.read` on `resource`, then `f` for the current process; `f`'s value is the
/// single return.
///
/// Errors: as `f`.
pub(crate) fn read<V: mlua::IntoLua>(
    lua: &Lua,
    resource: &str,
    f: impl FnOnce(&ProcState) -> mlua::Result<V>,
) -> mlua::Result<MultiValue> {
    if let Err(denied) = allowed(lua, "system.read", resource)? {
        return Ok(denied);
    }
    let v = with_current(|p| f(p))?;
    Ok(MultiValue::from_iter([v.into_lua(lua)?]))
}

/// A single `value` as the return list.
pub(crate) fn one<V: mlua::IntoLua>(lua: &Lua, v: V) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([v.into_lua(lua)?]))
}

/// `exit([code])`.
fn exit(lua: &Lua, code: Option<LuaValue>) -> mlua::Result<MultiValue> {
    let code = match code {
        None | Some(LuaValue::Nil) => 0u8,
        Some(LuaValue::Integer(i)) if (0..=255).contains(&i) => i as u8,
        Some(LuaValue::Number(n)) if n.fract() == 0.0 && (0.0..=255.0).contains(&n) => n as u8,
        Some(other) => {
            return nil_error(
                lua,
                ErrorKind::Invalid,
                format!(
                    "system.exit: the exit code must be an integer from 0 to 255, got {}",
                    match &other {
                        LuaValue::Number(n) => n.to_string(),
                        LuaValue::Integer(i) => i.to_string(),
                        v => format!("a {}", v.type_name()),
                    }
                ),
            );
        }
    };
    if let Err(denied) = allowed(lua, "system.exit", &code.to_string())? {
        return Ok(denied);
    }
    with_current(|p| {
        tracing::info!(pid = %p.pid, entry = %p.entry().id, code, "system.exit: stopping the node");
        p.node.request_exit(code);
        Ok(())
    })?;
    one(lua, true)
}

/// `modules()` → the names of the built-in modules (those an entry lists and the
/// always-global ones), sorted.
fn modules(lua: &Lua) -> mlua::Result<Table> {
    with_current(|p| {
        let mut names: Vec<&str> = p.vm.modules.keys().copied().collect();
        names.extend(["process", "channel", "errors", "payload"]);
        names.sort_unstable();
        let t = lua.create_table_with_capacity(names.len(), 0)?;
        for n in names {
            t.raw_push(n)?;
        }
        Ok(t)
    })
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("supervisor", supervisor::table(lua)?)?;
    t.set("memory", memory::memory_table(lua)?)?;
    t.set("gc", memory::gc_table(lua)?)?;
    t.set("runtime", host::runtime_table(lua)?)?;
    t.set("process", host::process_table(lua)?)?;
    t.set("hosts", host::hosts_table(lua)?)?;
    t.set(
        "exit",
        lua.create_function(|lua, code: Option<LuaValue>| exit(lua, code))?,
    )?;
    t.set("modules", lua.create_function(|lua, ()| modules(lua))?)?;
    Ok(t)
}
