//! `system.runtime`, `system.process` and `system.hosts` (WIPPY-API.md §10.3).
//!
//! - `runtime.goroutines()` → live processes of the node (Troupe's goroutines);
//!   `runtime.max_procs([n])` → the worker threads of all hosts; setting it is refused
//!   (`nil, err`, `Invalid`: hosts are sized by `process.host` entries at boot);
//!   `runtime.cpu_count()` → the CPUs the OS gives the node.
//! - `process.pid()` → the OS process ID of the node; `hostname()`; `cwd()` (the node's
//!   working directory; `nil, err` (`Internal`) if it cannot be read).
//! - `hosts.list()` → `{id, workers, processes, executed, stolen, queue_depth}` per
//!   `process.host`: `processes` = live processes on it, `executed` = process starts it
//!   ran since boot, `queue_depth` = starts waiting for a worker, `stolen` = 0 (Troupe's
//!   workers do not steal work: a process stays on its worker).
//! - `hosts.processes(host)` → `{pid, host, source, state, steps, started_at, parent?,
//!   actor_id?}` per live process of the host, in PID order, at most
//!   [`MAX_PROCESSES`]: `source` = its entry ID, `state` = `running` (or `terminating`
//!   once killed), `steps` = times its body was polled, `started_at` = Unix ns of its
//!   spawn, `parent` = the PID that spawned or called it. An unknown host → `nil, err`
//!   (`NotFound`).
//!
//! `hosts.*` need `system.read` on `hosts`.

use std::sync::atomic::Ordering;

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;

use super::supervisor::unix_nanos;
use super::{one, read};
use crate::modules::errors::nil_error;
use crate::process::with_current;

/// Most processes `hosts.processes` lists (the first by PID).
pub const MAX_PROCESSES: usize = 10_000;

fn cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Build `system.runtime`.
pub fn runtime_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "goroutines",
        lua.create_function(|lua, ()| {
            let n = with_current(|p| Ok(p.node.process_count()))?;
            one(lua, n)
        })?,
    )?;
    t.set(
        "max_procs",
        lua.create_function(|lua, n: Option<LuaValue>| -> mlua::Result<MultiValue> {
            if n.is_some_and(|n| !n.is_nil()) {
                return nil_error(
                    lua,
                    ErrorKind::Invalid,
                    "system.runtime.max_procs: the worker threads are fixed by the process.host entries at boot",
                );
            }
            let n: usize = with_current(|p| Ok(p.node.hosts().iter().map(|h| h.workers()).sum()))?;
            one(lua, n)
        })?,
    )?;
    t.set(
        "cpu_count",
        lua.create_function(|lua, ()| one(lua, cpus()))?,
    )?;
    Ok(t)
}

fn hostname() -> String {
    super::memory::read_small("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Build `system.process`.
pub fn process_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "pid",
        lua.create_function(|lua, ()| one(lua, std::process::id()))?,
    )?;
    t.set(
        "hostname",
        lua.create_function(|lua, ()| one(lua, hostname()))?,
    )?;
    t.set(
        "cwd",
        lua.create_function(|lua, ()| match std::env::current_dir() {
            Ok(d) => one(lua, d.display().to_string()),
            Err(e) => nil_error(lua, ErrorKind::Internal, format!("system.process.cwd: {e}")),
        })?,
    )?;
    Ok(t)
}

/// Build `system.hosts`.
pub fn hosts_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "list",
        lua.create_function(|lua, ()| {
            read(lua, "hosts", |p| {
                let counts = p.node.process_counts();
                let hosts = p.node.hosts();
                let out = lua.create_table_with_capacity(hosts.len(), 0)?;
                for h in &hosts {
                    let r = lua.create_table_with_capacity(0, 6)?;
                    r.set("id", &*h.id)?;
                    r.set("workers", h.workers())?;
                    r.set("processes", counts.get(&*h.id).copied().unwrap_or(0))?;
                    r.set("executed", h.executed())?;
                    r.set("stolen", 0)?;
                    r.set("queue_depth", h.queue_depth())?;
                    out.raw_push(r)?;
                }
                Ok(out)
            })
        })?,
    )?;
    t.set(
        "processes",
        lua.create_function(|lua, host: String| -> mlua::Result<MultiValue> {
            let known = with_current(|p| Ok(p.node.host(&host).is_some()))?;
            let r = read(lua, "hosts", |p| {
                let procs = p.node.processes_on(&host, MAX_PROCESSES);
                let out = lua.create_table_with_capacity(procs.len(), 0)?;
                for h in &procs {
                    let r = lua.create_table_with_capacity(0, 8)?;
                    r.set("pid", h.pid.as_str())?;
                    r.set("host", h.pid.host())?;
                    r.set("source", &*h.entry)?;
                    let killed = h.killed.load(Ordering::Acquire);
                    r.set("state", if killed { "terminating" } else { "running" })?;
                    r.set("steps", h.steps.load(Ordering::Relaxed))?;
                    r.set("started_at", unix_nanos(h.started_at))?;
                    if let Some(parent) = &h.parent {
                        r.set("parent", parent.as_str())?;
                    }
                    if let Some(a) = &h.actor {
                        r.set("actor_id", a.id.as_str())?;
                    }
                    out.raw_push(r)?;
                }
                Ok(out)
            })?;
            if r.len() == 1 && !known {
                return nil_error(lua, ErrorKind::NotFound, format!("host not found: {host}"));
            }
            Ok(r)
        })?,
    )?;
    Ok(t)
}
