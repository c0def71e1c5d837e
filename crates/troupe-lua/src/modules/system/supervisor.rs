//! `system.supervisor` (WIPPY-API.md §10.3): the state of every `process.service` and
//! `process.supervisor`, from the kernel's read-only view
//! (`troupe_kernel::states::SupervisionView`), so Troupe's OTP supervisors and their
//! children are shown as well as the top-level services.
//!
//! A state is `{id, status, desired, retry_count, last_update, started_at, details}`:
//! `status`/`desired` ∈ `unknown starting running stopping stopped exited failed`;
//! `last_update`/`started_at` are Unix **nanoseconds** (as Wippy; a Lua number, so
//! exact to about 0.25 µs; `started_at` is 0 before the first run); `details` =
//! `{kind, pid?, supervisor?, error?, children?, strategy?}` (`supervisor`: the
//! supervisor entry that owns it; `children`/`strategy`: for a supervisor).
//! `state(id)` of an ID that is not a service or supervisor → `nil, err` (`NotFound`).

use std::time::{SystemTime, UNIX_EPOCH};

use mlua::{Lua, MultiValue, Table};
use troupe_kernel::ErrorKind;
use troupe_kernel::states::ServiceState;
use troupe_registry::Kind;

use super::read;
use crate::modules::errors::nil_error;
use crate::process::ProcState;

/// Unix nanoseconds of `t` (0 before the epoch).
pub(crate) fn unix_nanos(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as f64)
        .unwrap_or(0.0)
}

fn state_table(lua: &Lua, p: &ProcState, s: &ServiceState) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 7)?;
    t.set("id", s.id.as_str())?;
    t.set("status", s.status.as_str())?;
    t.set("desired", s.desired.as_str())?;
    t.set("retry_count", s.retry_count)?;
    t.set("last_update", unix_nanos(s.last_update))?;
    t.set("started_at", s.started_at.map(unix_nanos).unwrap_or(0.0))?;
    let d = lua.create_table()?;
    d.set("kind", s.kind)?;
    if let Some(pid) = &s.pid {
        d.set("pid", pid.as_str())?;
    }
    if let Some(sup) = &s.supervisor {
        d.set("supervisor", sup.as_str())?;
    }
    if let Some(e) = &s.error {
        d.set("error", e.as_str())?;
    }
    if let Some(e) = p.node.entry(&s.id)
        && let Kind::ProcessSupervisor(spec) = &e.kind
    {
        let c = lua.create_table_with_capacity(spec.children.len(), 0)?;
        for id in &spec.children {
            c.raw_push(id.as_str())?;
        }
        d.set("children", c)?;
        d.set("strategy", spec.strategy.as_str())?;
    }
    t.set("details", d)?;
    Ok(t)
}

/// Build `system.supervisor`.
pub fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "state",
        lua.create_function(|lua, id: String| -> mlua::Result<MultiValue> {
            let r = read(lua, "supervisor", |p| {
                match p.node.supervision().state(&id) {
                    Some(s) => Ok(Some(state_table(lua, p, &s)?)),
                    None => Ok(None),
                }
            })?;
            // One nil value: allowed, but no such unit (a denial is two values).
            match (r.len(), r.front()) {
                (1, Some(mlua::Value::Nil)) => nil_error(
                    lua,
                    ErrorKind::NotFound,
                    format!(
                        "service not found: {id} (not a process.service or process.supervisor)"
                    ),
                ),
                _ => Ok(r),
            }
        })?,
    )?;
    t.set(
        "states",
        lua.create_function(|lua, ()| {
            read(lua, "supervisor", |p| {
                let all = p.node.supervision().states();
                let out = lua.create_table_with_capacity(all.len(), 0)?;
                for s in &all {
                    out.raw_push(state_table(lua, p, s)?)?;
                }
                Ok(out)
            })
        })?,
    )?;
    Ok(t)
}
