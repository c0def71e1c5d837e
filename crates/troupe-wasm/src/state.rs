//! [`State`]: what a wasm store holds for one process — the kernel handle, the mailbox
//! view, WASI contexts and the limits being enforced (SPEC §3.6).

use std::sync::Arc;
use std::time::Instant;

use troupe_kernel::{Node, ProcessRef, Value};
use troupe_registry::Entry;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::mailbox::Mailbox;

/// Store data of one wasm process or function call.
pub struct State {
    pub node: Node,
    pub handle: ProcessRef,
    pub entry: Arc<Entry>,
    /// Spawn / call arguments.
    pub args: Vec<Value>,
    pub mailbox: Mailbox,
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    /// WASI preview 1 context, for core modules with `imports: [wasi1]`.
    pub p1: Option<WasiP1Ctx>,
    pub limits: MemoryLimit,
    pub started: Instant,
    /// The last line written to stderr, to explain a trap.
    pub last_stderr: crate::stdio::LastLine,
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
