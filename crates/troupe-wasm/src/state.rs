//! [`State`]: what a wasm store holds for one process — the kernel handle (which owns the
//! mailbox), WASI contexts and the limits being enforced (SPEC §3.6). A store kept warm by a
//! function pool (SPEC §6.2) outlives its calls: [`State::begin_call`] and
//! [`State::park`] swap its per-call parts.

use std::sync::Arc;

use troupe_kernel::{Node, ProcessContext, ProcessRef, Value};
use troupe_registry::Entry;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::stdio::{Label, LastLine};

/// Store data of one wasm process or function call.
pub struct State {
    /// The node; `None` only while the store is parked in a function pool between calls,
    /// so that the node → runtime → pool → store chain does not hold the node alive (a
    /// reference cycle). Host functions reach it through [`State::node`].
    pub node: Option<Node>,
    /// The process running (a detached placeholder while parked in a pool).
    pub handle: ProcessRef,
    pub entry: Arc<Entry>,
    /// Spawn / call arguments.
    pub args: Vec<Value>,
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    /// WASI preview 1 context, for core modules with `imports: [wasi1]`.
    pub p1: Option<WasiP1Ctx>,
    pub limits: MemoryLimit,
    /// The last line written to stderr, to explain a trap.
    pub last_stderr: LastLine,
    /// PID and terminal choice of the WASI stdout/stderr.
    pub label: Label,
}

impl State {
    /// The node the process runs on.
    ///
    /// Errors (a trap in the guest): the store serves no process — a `static` pool
    /// instance being created at boot whose start code calls a `troupe:runtime` import.
    pub fn node(&self) -> wasmtime::Result<&Node> {
        match &self.node {
            Some(n) => Ok(n),
            None => wasmtime::bail!(
                "{}: troupe:runtime calls are not available while a pooled instance is created at boot",
                self.entry.id
            ),
        }
    }

    /// `limits.max_message` of this process, in bytes: the bound of every payload decoded
    /// from the guest and of every result lifted from it (SPEC §3.2): the entry's, else
    /// `troupe.yaml`'s, else [`troupe_kernel::DEFAULT_MAX_MESSAGE`] (64 MiB).
    pub fn max_message(&self) -> u64 {
        let Some(node) = &self.node else {
            return troupe_kernel::DEFAULT_MAX_MESSAGE;
        };
        self.entry
            .resolved_limits(&node.registry().node.limits)
            .max_message
    }

    /// Make a store serve the process of `ctx`: its handle, node, entry and arguments, the
    /// limit flag cleared, the clock restarted, no remembered
    /// stderr line, and stdout/stderr labelled with its PID (to the terminal when
    /// `terminal`). The store-level parts (fuel, epoch deadline) are reset by the caller.
    pub fn begin_call(&mut self, ctx: ProcessContext, terminal: bool) {
        self.label.set(ctx.handle.pid.to_string().into(), terminal);
        self.node = Some(ctx.node);
        self.handle = ctx.handle;
        self.entry = ctx.entry;
        self.args = ctx.args;
        self.limits.exceeded = false;
        *self.last_stderr.lock() = None;
    }

    /// Drop what ties a store to its last call (the node, the process handle — replaced by
    /// the detached `vacant` one —, the arguments) before it waits in
    /// a pool.
    pub fn park(&mut self, vacant: &ProcessRef) {
        self.node = None;
        self.handle = vacant.clone();
        self.args = Vec::new();
    }
}

/// `limits.max_memory` as a wasmtime [`ResourceLimiter`]: growing past it traps, and
/// `exceeded` records why so the exit reason can name the limit.
#[derive(Debug, Default)]
pub struct MemoryLimit {
    /// Bytes; `None` for the engine's ceiling.
    pub max: Option<u64>,
    pub exceeded: bool,
}

impl ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if let Some(max) = self.max
            && desired as u64 > max
        {
            self.exceeded = true;
            wasmtime::bail!(
                "max_memory exceeded: the guest asked for {desired} bytes, the limit is {max}"
            );
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
