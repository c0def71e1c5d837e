//! The node's wasmtime [`Engine`] (SPEC §6.1): component model, async host calls, the
//! pooling allocator sized so that 10,000+ live instances fit, and epoch interruption
//! driven by a ticker thread (one tick per [`TICK`]) for preemption.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Component instances the pool can hold at once (SPEC §9: 10,000 live wasm processes).
pub const MAX_INSTANCES: u32 = 12_000;
/// Largest linear memory any instance may grow to, in bytes; `limits.max_memory` lowers
/// it per entry. It is also each memory slot's address-space reservation, so the pool
/// reserves `MAX_INSTANCES × 2 × (MAX_MEMORY + guard)` of *virtual* memory (≈ 12 TiB of
/// the 128 TiB a 64-bit process has), none of it resident until touched.
pub const MAX_MEMORY: u64 = 512 << 20;
/// Guard region after each memory slot, in bytes.
pub const MEMORY_GUARD: u64 = 2 << 20;
/// Native stack of one wasm call (fiber), in bytes; wasm frames may use up to
/// [`MAX_WASM_STACK`] of it.
pub const ASYNC_STACK: usize = 1 << 20;
/// Native stack wasm frames may use, in bytes (deep recursion traps beyond it).
pub const MAX_WASM_STACK: usize = 512 << 10;
/// Bytes of each linear memory, table and fiber stack slot kept resident between
/// instances (reset in place, not returned to the kernel). 2 MiB covers a Rust guest's
/// 1 MiB shadow stack, its data and a first heap.
pub const KEEP_RESIDENT: usize = 2 << 20;
/// Epoch tick length. A guest runs [`SLICE_TICKS`] ticks before it yields.
pub const TICK: Duration = Duration::from_millis(1);
/// Ticks a guest may run before its slice ends (as `troupe_kernel::preempt::SLICE_TICKS`).
pub const SLICE_TICKS: u64 = troupe_kernel::preempt::SLICE_TICKS;

/// The engine plus its epoch ticker; dropping it stops the ticker.
pub struct WasmEngine {
    pub engine: Engine,
    /// Whether fuel metering is on (only when some entry sets `limits.fuel`).
    pub fuel: bool,
    stop: Arc<AtomicBool>,
}

impl WasmEngine {
    /// Build the engine. `fuel` turns on fuel metering for every store (it costs every
    /// guest some speed, so it is on only when an entry asks for it).
    ///
    /// Errors: wasmtime rejects the configuration (e.g. the host cannot reserve the pool's
    /// address space).
    pub fn new(fuel: bool) -> wasmtime::Result<WasmEngine> {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(MAX_INSTANCES)
            .total_core_instances(MAX_INSTANCES * 4)
            .total_memories(MAX_INSTANCES * 2)
            .total_tables(MAX_INSTANCES * 4)
            .total_stacks(MAX_INSTANCES)
            .max_memory_size(MAX_MEMORY as usize)
            .max_memories_per_module(1)
            .table_elements(20_000)
            .max_unused_warm_slots(256)
            // Keep slots resident between instances and reset only the pages the last
            // instance dirtied (PAGEMAP_SCAN, Linux 6.7+; memset/madvise elsewhere): no
            // page faults on the next instantiation, no TLB shootdowns (ARCHITECTURE.md).
            .pagemap_scan(Enabled::Auto)
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .async_stack_keep_resident(KEEP_RESIDENT);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .consume_fuel(fuel)
            .async_stack_size(ASYNC_STACK)
            .max_wasm_stack(MAX_WASM_STACK)
            .memory_reservation(MAX_MEMORY)
            .memory_guard_size(MEMORY_GUARD)
            .memory_reservation_for_growth(0)
            // Traps carry our own reason (limit names, last stderr line); capturing a wasm
            // backtrace on every trap or `exit` costs an unwind per process end.
            .wasm_backtrace_max_frames(None)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config)?;
        let stop = Arc::new(AtomicBool::new(false));
        let (e, s) = (engine.weak(), stop.clone());
        let spawned = std::thread::Builder::new()
            .name("troupe-wasm-epoch".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    match e.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the wasm epoch ticker; busy wasm processes will not be preempted");
        }
        Ok(WasmEngine { engine, fuel, stop })
    }
}

impl Drop for WasmEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
