//! The `troupe` facade: loads an application directory, boots a [`Node`] with its hosts,
//! runtimes and services, and runs entries as commands. The CLI (`src/main.rs`) is a thin
//! layer over this; tests and benchmarks use it directly.

/// mimalloc: the kernel and the Lua VMs allocate many small objects per message from
/// several worker threads; glibc's per-thread arenas showed up as `mprotect` and
/// consolidation in profiles (see ARCHITECTURE.md). [`alloc::Allocator`] rounds Luau's
/// 16-byte-aligned requests so they stay on mimalloc's fast path.
#[global_allocator]
static GLOBAL: alloc::Allocator = alloc::Allocator;

mod alloc;

pub use troupe_kernel as kernel;
pub use troupe_lua as lua;
pub use troupe_registry as registry;
pub use troupe_wasm as wasm;

pub mod testing;
pub mod tree;

use std::path::Path;
use std::sync::Arc;

use troupe_kernel::service::{Services, top_level_owners};
use troupe_kernel::{ExitResult, Node, SpawnRequest, Value};
use troupe_registry::{Kind, Registry};

/// The host created when the application declares none and `troupe.yaml` names none.
pub const IMPLICIT_HOST: &str = "troupe:default";

/// Boot failures.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    /// Validation problems (SPEC §2.2), all of them.
    #[error("{0}")]
    Invalid(#[from] troupe_registry::Diagnostics),
    #[error("cannot start host {host}: {source}")]
    Host {
        host: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Spawn(#[from] troupe_kernel::KernelError),
    /// `security.policy` entries that cannot be compiled (e.g. a bad `matches` pattern).
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Policy(Vec<troupe_kernel::security::PolicyError>),
    /// The wasm engine could not start, or wasm entries cannot run (SPEC §6.4).
    #[error("{0}")]
    Wasm(#[from] troupe_wasm::WasmError),
    /// An `fs.directory` with `auto_init` could not be created.
    #[error("cannot create directory {} of {entry} (`auto_init`): {source}", .path.display())]
    Directory {
        entry: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The language checks `troupe check` runs: Luau compilation and WAT parsing.
#[derive(Default)]
pub struct Checker {
    lua: troupe_lua::LuaChecker,
}

impl troupe_registry::SourceChecker for Checker {
    fn check_lua(&self, source: &str) -> Result<(), (usize, String)> {
        troupe_registry::SourceChecker::check_lua(&self.lua, source)
    }
    fn check_wat(&self, source: &str) -> Result<(), String> {
        wat::parse_str(source)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Load and validate an application, with Lua syntax and WAT checks, and compile its
/// `security.policy` entries (a bad `matches` pattern, an unknown operator) so that
/// `troupe check` reports them like any other problem, at the entry's location.
///
/// Errors: every validation problem at once. Warnings (WIPPY-API.md §12) are in
/// [`Registry::warnings`].
pub fn load(dir: &Path) -> Result<Registry, troupe_registry::Diagnostics> {
    let report = load_all(dir);
    if report.errors.is_empty() {
        Ok(report.registry)
    } else {
        Err(troupe_registry::Diagnostics(report.errors))
    }
}

/// [`load`], returning the errors and the warnings together (`troupe check`).
pub fn load_all(dir: &Path) -> troupe_registry::Report {
    let mut report = troupe_registry::load_all(dir, &Checker::default());
    if report.errors.is_empty()
        && let Err(errors) = troupe_kernel::security::Scope::policies_of(&report.registry)
    {
        report.errors = errors
            .into_iter()
            .map(|e| {
                let entry = report.registry.entries.get(&e.policy);
                troupe_registry::Diagnostic {
                    location: entry.map(|x| x.location.clone()).unwrap_or_default(),
                    entry: Some(e.policy.clone()),
                    message: e.message,
                }
            })
            .collect();
    }
    report
}

/// A booted node: hosts running, runtimes registered, services not yet started.
pub struct App {
    pub node: Node,
    /// Host used when none is given.
    pub default_host: String,
    /// The wasm runtime, when the application has wasm entries.
    pub wasm: Option<Arc<troupe_wasm::WasmRuntime>>,
}

impl App {
    /// Boot the node for a loaded registry: start every `process.host` (and the implicit
    /// default host when needed) and register the language runtimes.
    ///
    /// Errors: a host's threads could not be created.
    pub fn boot(registry: Registry) -> Result<App, BootError> {
        // What Wippy accepts and Troupe ignores (WIPPY-API.md §12): logged, never fatal.
        for w in &registry.warnings {
            tracing::warn!(location = %w.location, entry = w.entry.as_deref().unwrap_or(""), "{}", w.message);
        }
        for e in registry.entries.values() {
            if let Kind::FsDirectory(fs) = &e.kind {
                fs.init().map_err(|source| BootError::Directory {
                    entry: e.id.clone(),
                    path: fs.directory.clone(),
                    source,
                })?;
            }
        }
        let registry = Arc::new(registry);
        // Compiled here so a bad policy refuses the boot; the checks of SPEC §7.2 use them.
        troupe_kernel::security::Scope::policies_of(&registry).map_err(BootError::Policy)?;
        let node = Node::new(registry.clone());
        node.add_runtime(Arc::new(troupe_lua::LuaRuntime));
        let wasm = if troupe_wasm::has_wasm(&registry) {
            let rt = Arc::new(troupe_wasm::WasmRuntime::new(
                &registry,
                troupe_wasm::CompileCache::from_env(),
            )?);
            rt.prepare_all(&node)?;
            node.add_runtime(rt.clone());
            Some(rt)
        } else {
            None
        };
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let mut first_host = None;
        for e in registry.entries.values() {
            if let Kind::ProcessHost(h) = &e.kind {
                node.add_host(&e.id, h.workers.unwrap_or(cores))
                    .map_err(|source| BootError::Host {
                        host: e.id.clone(),
                        source,
                    })?;
                first_host.get_or_insert_with(|| e.id.clone());
            }
        }
        let default_host = match registry.node.default_host.clone().or(first_host) {
            Some(h) => h,
            None => {
                node.add_host(IMPLICIT_HOST, cores)
                    .map_err(|source| BootError::Host {
                        host: IMPLICIT_HOST.into(),
                        source,
                    })?;
                IMPLICIT_HOST.to_string()
            }
        };
        node.set_default_host(&default_host);
        Ok(App {
            node,
            default_host,
            wasm,
        })
    }

    /// Load and boot in one step.
    pub fn open(dir: &Path) -> Result<App, BootError> {
        App::boot(load(dir)?)
    }

    /// IDs of the top-level units to auto-start, in ID order: `process.service` and
    /// `process.supervisor` entries with `lifecycle.auto_start` that no supervisor owns
    /// (a supervisor's children are started by it, SPEC §4.2), and whose node, when set,
    /// is this one (SPEC §10: one application, units placed by node): a service's
    /// `host: NODE@HOST_ID`, else `lifecycle.node`. A top-level service placed on a node
    /// runs there as a local service.
    pub fn auto_start_units(&self) -> Vec<String> {
        let owned = top_level_owners(self.node.registry());
        // A unit's node: `lifecycle.node`, or for a service `host: NODE@HOST_ID`.
        let here = |lc: &troupe_registry::Lifecycle, host_node: Option<&str>| {
            lc.auto_start
                && host_node
                    .or(lc.node.as_deref())
                    .is_none_or(|n| n == self.node.name())
        };
        self.node
            .registry()
            .entries
            .values()
            .filter(|e| !owned.contains_key(&e.id))
            .filter(|e| match &e.kind {
                Kind::ProcessService(s) => here(&s.lifecycle, s.node.as_deref()),
                Kind::ProcessSupervisor(s) => here(&s.lifecycle, None),
                _ => false,
            })
            .map(|e| e.id.clone())
            .collect()
    }

    /// Start the auto-start units (must be called inside a tokio runtime).
    pub fn start_services(&self) -> Services {
        Services::start(&self.node, &self.auto_start_units())
    }

    /// Run one entry as a command (`troupe run -x`) and wait for its result.
    ///
    /// Errors: the entry cannot be spawned.
    pub async fn exec(&self, entry: &str, args: Vec<Value>) -> Result<ExitResult, BootError> {
        let req = SpawnRequest {
            entry: entry.to_string(),
            host: self.default_host.clone(),
            args,
            ..Default::default()
        };
        let (_, rx) = self.node.spawn(None, req, true)?;
        Ok(match rx {
            Some(rx) => rx.await,
            None => Ok(Value::Nil),
        })
    }

    /// Stop all hosts (remaining processes are dropped).
    pub fn shutdown(&self) {
        self.node.begin_shutdown();
        self.node.stop_hosts();
    }
}
