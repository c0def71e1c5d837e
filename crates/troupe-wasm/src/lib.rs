//! Troupe's WebAssembly host (SPEC §6): `function.wat`, `function.wasm` and `process.wasm`
//! on wasmtime. [`WasmRuntime`] plugs into the kernel through [`troupe_kernel::Runtime`]:
//! every wasm call or process is a kernel process whose body drives one wasmtime store on
//! a fiber, so a guest blocked in `receive` or `funcs.call` suspends only itself, and a
//! guest that computes is preempted by epoch deadlines.
//!
//! Modules: [`engine`] (engine + pooling + epoch ticker), [`cache`] (on-disk compile
//! cache), [`prepare`] (boot-time compile, capability check, pre-link), [`pool`] (warm
//! instances of function entries), [`run`] (process bodies and limits), [`host`] (the
//! `troupe:runtime` interfaces), [`mailbox`],
//! [`values`] (Lua ↔ WIT), [`codec`] (MessagePack payloads), [`stdio`], [`state`].

pub mod cache;
pub mod codec;
pub mod engine;
pub mod host;
pub mod mailbox;
pub mod pool;
pub mod prepare;
pub mod run;
pub mod state;
pub mod stdio;
pub mod values;

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use troupe_kernel::{Node, ProcessBody, ProcessContext, ProcessError, Runtime};
use troupe_registry::{Kind, Registry};

pub use cache::CompileCache;
pub use prepare::PrepareError;

use crate::engine::WasmEngine;
use crate::pool::{Mode, Warm};
use crate::prepare::Prepared;
use crate::state::State;

/// The entry kinds this runtime runs.
pub const KINDS: &[&str] = &["function.wat", "function.wasm", "process.wasm"];

/// Failures building the runtime.
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    /// wasmtime refused the engine configuration or a linker could not be built.
    #[error("cannot start the wasm engine: {0}")]
    Engine(String),
    /// Entries that cannot run, all of them.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Prepare(Vec<PrepareError>),
}

/// The wasm runtime of one node: the engine, the linkers and the prepared entries.
pub struct WasmRuntime {
    pub(crate) engine: WasmEngine,
    pub(crate) cache: CompileCache,
    pub(crate) linker: wasmtime::component::Linker<State>,
    pub(crate) core_linker: wasmtime::Linker<State>,
    prepared: RwLock<HashMap<String, Arc<Prepared>>>,
    /// The entry run by `troupe run -x`, whose WASI output goes to the terminal.
    terminal: RwLock<Option<String>>,
}

/// Whether `registry` has any wasm entry (the engine is only built then).
pub fn has_wasm(registry: &Registry) -> bool {
    registry
        .entries
        .values()
        .any(|e| KINDS.contains(&e.kind_name()))
}

impl WasmRuntime {
    /// Build the engine and linkers. `fuel` is on when any entry sets `limits.fuel`.
    ///
    /// Errors: [`WasmError::Engine`].
    pub fn new(registry: &Registry, cache: CompileCache) -> Result<WasmRuntime, WasmError> {
        let fuel = registry.entries.values().any(|e| match &e.kind {
            Kind::FunctionWat(s) | Kind::FunctionWasm(s) | Kind::ProcessWasm(s) => {
                s.limits.fuel.is_some()
            }
            _ => false,
        });
        let engine = WasmEngine::new(fuel).map_err(|e| WasmError::Engine(format!("{e:#}")))?;
        let mut linker = wasmtime::component::Linker::new(&engine.engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|e| WasmError::Engine(format!("{e:#}")))?;
        host::add_to_linker(&mut linker).map_err(|e| WasmError::Engine(format!("{e:#}")))?;
        let mut core_linker = wasmtime::Linker::new(&engine.engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut core_linker, |s: &mut State| {
            s.p1.as_mut()
                .expect("a WASI preview 1 context exists for every core module store")
        })
        .map_err(|e| WasmError::Engine(format!("{e:#}")))?;
        Ok(WasmRuntime {
            engine,
            cache,
            linker,
            core_linker,
            prepared: RwLock::new(HashMap::new()),
            terminal: RwLock::new(None),
        })
    }

    /// Compile, check and pre-link every wasm entry of the node (SPEC §6.1, §6.4), then
    /// create the warm instances of `static` pools (SPEC §6.2).
    ///
    /// Errors: [`WasmError::Prepare`] with every entry that cannot run (bad bytes, hash
    /// mismatch, an import its `imports` does not list, a missing export, a `static` pool
    /// whose instances cannot be created).
    pub fn prepare_all(&self, node: &Node) -> Result<(), WasmError> {
        let registry = node.registry().clone();
        let mut errors = Vec::new();
        let mut ids: Vec<&String> = registry.entries.keys().collect();
        ids.sort();
        for id in ids {
            let Some(entry) = node.entry(id) else {
                continue;
            };
            let spec = match &entry.kind {
                Kind::FunctionWat(s) | Kind::FunctionWasm(s) | Kind::ProcessWasm(s) => s.clone(),
                _ => continue,
            };
            let prepared = self
                .prepare(&registry, &entry, &spec)
                .and_then(|p| self.fill(node, &p).map(|()| p));
            match prepared {
                Ok(p) => {
                    self.prepared.write().insert(id.clone(), Arc::new(p));
                }
                Err(message) => errors.push(PrepareError {
                    entry: id.clone(),
                    message,
                }),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(WasmError::Prepare(errors))
        }
    }

    /// `pool: {type: static}`: create the entry's `size` warm instances now, so the first
    /// calls find them (SPEC §6.2). Each gets a store of its own whose handle is the pool's
    /// detached placeholder (there is no process yet), is instantiated on this thread with
    /// `futures::executor::block_on` (instantiation needs no reactor; an epoch yield
    /// just polls again), and is parked in the pool like an instance that finished a call.
    /// Stdout/stderr written while instantiating is labelled with the placeholder PID.
    fn fill(&self, node: &Node, p: &Prepared) -> Result<(), String> {
        if p.pool.mode != Mode::Static {
            return Ok(());
        }
        for _ in 0..p.pool.size {
            let ctx = ProcessContext {
                node: node.clone(),
                handle: p.pool.vacant.clone(),
                entry: p.entry.clone(),
                args: Vec::new(),
            };
            let mut store = run::store(&self.engine.engine, self.engine.fuel, p, ctx, false)
                .map_err(|e| e.message)?;
            let instance = futures::executor::block_on(run::instantiate(p, &mut store))
                .map_err(|e| format!("cannot create a `static` pool instance: {e:#}"))?;
            p.pool.give_back(Warm { store, instance });
        }
        Ok(())
    }

    /// Send the WASI stdout/stderr of `entry`'s processes to the terminal instead of the
    /// log (`troupe run -x ENTRY`); other wasm processes keep logging.
    pub fn set_terminal(&self, entry: Option<&str>) {
        *self.terminal.write() = entry.map(str::to_string);
    }
}

impl Runtime for WasmRuntime {
    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    fn start(&self, ctx: ProcessContext) -> Result<ProcessBody, ProcessError> {
        let prepared = self
            .prepared
            .read()
            .get(&ctx.entry.id)
            .cloned()
            .ok_or_else(|| {
                ProcessError::new(
                    troupe_kernel::ErrorKind::Internal,
                    format!("wasm entry {} was not prepared at boot", ctx.entry.id),
                )
            })?;
        // SPEC §7.2: a process or call that mounts a directory needs `fs.get` on it, checked
        // as the process itself (it runs with its spawner's or caller's context).
        for m in &prepared.mounts {
            ctx.node
                .check(Some(&ctx.handle), "fs.get", || m.fs.clone())?;
        }
        let terminal = self.terminal.read().as_deref() == Some(ctx.entry.id.as_str());
        Ok(run::body(
            self.engine.engine.clone(),
            self.engine.fuel,
            prepared,
            ctx,
            terminal,
        ))
    }
}
