//! `system.memory` and `system.gc` (WIPPY-API.md §10.3), mapped onto what Troupe can
//! measure. Wippy reports Go's `runtime.MemStats` for its whole OS process; Troupe's
//! processes share Luau VMs, so the keys mean (bytes unless said otherwise):
//!
//! | key | Troupe |
//! |---|---|
//! | `alloc`, `heap_alloc`, `total_alloc` | what the calling process is charged against its `max_memory` (its Lua heap and the Rust-heap bytes its objects hold); Luau keeps no cumulative count, so `total_alloc` = `alloc` |
//! | `heap_in_use`, `heap_sys` | bytes the calling process's Luau VM holds (every process of that VM, its modules and compiled chunks) |
//! | `sys` | resident set size of the node's OS process (`VmRSS`; 0 where `/proc` is missing) |
//! | `stack_sys` | stack reserved for the node's worker threads (workers × 8 MiB) |
//! | `heap_idle`, `heap_released`, `heap_objects`, `stack_in_use`, `mspan_in_use`, `mspan_sys`, `num_gc`, `next_gc` | 0: Luau and the OS do not report them |
//!
//! `allocated()` = `alloc`; `heap_objects()` = 0 (Luau does not count objects);
//! `get_limit()` = the calling process's `max_memory`; `set_limit(n)` is refused
//! (`Invalid`): Troupe's memory limits are per process (`limits.max_memory`) and fixed
//! when a process starts, and no process may change the node's. All need `system.read`
//! on `memory`.
//!
//! `gc.collect()` runs a bounded step of the calling process's VM collector (1 MiB of
//! work; a full collection of a VM shared with other processes would hold their worker)
//! → `true`. `gc.get_percent()` → the VM collector's goal (Luau's equivalent of
//! `GOGC`, in percent). `gc.set_percent(p)` is refused (`Invalid`): the collector is
//! shared by the processes of the VM, and one process must not change another's.

use mlua::{Lua, MultiValue, Table, Value as LuaValue, ffi};
use troupe_kernel::ErrorKind;

use super::{allowed, one, read};
use crate::modules::errors::nil_error;
use crate::process::{ProcState, with_current};

/// Work of one `gc.collect()` step, in KiB.
const COLLECT_STEP_KB: i32 = 1024;

/// The resident set size of this OS process, from `/proc/self/status` (0 if unknown).
pub(crate) fn rss_bytes() -> u64 {
    let Ok(text) = read_small("/proc/self/status") else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Read a small pseudo-file (at most 64 KiB; `/proc` files report size 0).
pub(crate) fn read_small(path: &str) -> std::io::Result<String> {
    use std::io::Read;
    let mut s = String::new();
    std::fs::File::open(path)?
        .take(64 * 1024)
        .read_to_string(&mut s)?;
    Ok(s)
}

fn charged() -> u64 {
    crate::memory::current().used() as u64
}

fn stats(lua: &Lua, p: &ProcState) -> mlua::Result<Table> {
    let alloc = charged();
    let vm = p.vm.lua.used_memory() as u64;
    let workers: usize = p.node.hosts().iter().map(|h| h.workers()).sum();
    let t = lua.create_table_with_capacity(0, 15)?;
    for (k, v) in [
        ("alloc", alloc),
        ("total_alloc", alloc),
        ("sys", rss_bytes()),
        ("heap_alloc", alloc),
        ("heap_sys", vm),
        ("heap_idle", 0),
        ("heap_in_use", vm),
        ("heap_released", 0),
        ("heap_objects", 0),
        ("stack_in_use", 0),
        (
            "stack_sys",
            (workers * troupe_kernel::host::WORKER_STACK) as u64,
        ),
        ("mspan_in_use", 0),
        ("mspan_sys", 0),
        ("num_gc", 0),
        ("next_gc", 0),
    ] {
        t.set(k, v)?;
    }
    Ok(t)
}

/// Build `system.memory`.
pub fn memory_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "stats",
        lua.create_function(|lua, ()| read(lua, "memory", |p| stats(lua, p)))?,
    )?;
    t.set(
        "allocated",
        lua.create_function(|lua, ()| read(lua, "memory", |_| Ok(charged())))?,
    )?;
    t.set(
        "heap_objects",
        lua.create_function(|lua, ()| read(lua, "memory", |_| Ok(0u64)))?,
    )?;
    t.set(
        "get_limit",
        lua.create_function(|lua, ()| read(lua, "memory", |p| Ok(p.limits.max_memory as u64)))?,
    )?;
    t.set(
        "set_limit",
        lua.create_function(|lua, _n: LuaValue| -> mlua::Result<MultiValue> {
            if let Err(denied) = allowed(lua, "system.read", "memory")? {
                return Ok(denied);
            }
            nil_error(
                lua,
                ErrorKind::Invalid,
                "system.memory.set_limit: memory limits are per process (limits.max_memory) and fixed when a process starts; a process cannot change the node's",
            )
        })?,
    )?;
    Ok(t)
}

/// The goal of the calling process's VM collector, in percent.
fn goal(p: &ProcState) -> mlua::Result<i32> {
    let state = p.vm.current_state()?;
    // Luau can only read the goal by setting it: set and put back at once (one thread).
    let prev = unsafe { ffi::lua_gc(state, ffi::LUA_GCSETGOAL, 200) };
    unsafe { ffi::lua_gc(state, ffi::LUA_GCSETGOAL, prev) };
    Ok(prev)
}

/// Build `system.gc`.
pub fn gc_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "collect",
        lua.create_function(|lua, ()| {
            with_current(|p| {
                let state = p.vm.current_state()?;
                unsafe { ffi::lua_gc(state, ffi::LUA_GCSTEP, COLLECT_STEP_KB) };
                Ok(())
            })?;
            one(lua, true)
        })?,
    )?;
    t.set(
        "get_percent",
        lua.create_function(|lua, ()| {
            let g = with_current(|p| goal(p))?;
            one(lua, g)
        })?,
    )?;
    t.set(
        "set_percent",
        lua.create_function(|lua, _p: LuaValue| {
            nil_error(
                lua,
                ErrorKind::Invalid,
                "system.gc.set_percent: the Lua collector is shared by the processes of a worker; one process cannot change it for the others",
            )
        })?,
    )?;
    Ok(t)
}
