//! [`Node`]: one running application — its entries, hosts, runtimes and node-wide state.
//! Every kernel operation (spawn, send, link, monitor, cancel, terminate, names) goes
//! through a `Node` method and takes the caller's handle, so the caller's PID and actor
//! travel with it. The operations live by concern:
//!
//! | file | owns |
//! |---|---|
//! | `table.rs` | the process table, resolving a destination |
//! | `names.rs` | the name registry |
//! | `cluster_names.rs` | cluster-wide (`EVENTUAL`) names (SPEC §10) |
//! | `send.rs` | `send` and `cancel`: the sending half of the message path |
//! | `relations.rs` | links, monitors, watchers, exit propagation, [`ExitWatch`] |
//! | `remote_relations.rs` | the same with processes of other nodes (SPEC §10), node loss |
//! | `remote_spawn.rs` | spawning on another node's host (SPEC §10) |
//! | `spawn.rs` | spawn, spawn-or-signal, function calls |
//! | `driver.rs` | the poll driver of a process body |
//! | `units.rs` | service and supervisor states |
//! | `checks.rs` | security checks |

mod checks;
mod cluster_names;
mod driver;
mod names;
mod relations;
mod remote_relations;
mod remote_spawn;
mod send;
mod spawn;
mod table;
mod units;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dashmap::DashMap;
use parking_lot::RwLock;
use troupe_registry::{Entry, Registry};

use crate::Host;
use crate::bus::EventBus;
use crate::process::ProcessRef;
use crate::runtime::Runtime;
use crate::security::{Policy, Scope};
use crate::states::{ServiceStates, SupervisionView};

pub use cluster_names::{MAX_EVENTUAL_NAMES, NAME_CONFLICT};
pub use relations::ExitWatch;
pub use remote_spawn::Started;
pub use spawn::{CallRequest, SpawnOptions, SpawnRequest, Spawned, merge_context};

struct NodeInner {
    name: Arc<str>,
    registry: Arc<Registry>,
    entries: HashMap<String, Arc<Entry>>,
    procs: DashMap<u64, ProcessRef>,
    names: DashMap<String, u64>,
    hosts: RwLock<HashMap<String, Arc<Host>>>,
    runtimes: RwLock<HashMap<&'static str, Arc<dyn Runtime>>>,
    counter: AtomicU64,
    stopping: AtomicBool,
    default_host: RwLock<String>,
    /// Every compiled `security.policy` (a policy that does not compile is left out; the
    /// facade refuses to boot on one).
    policies: Vec<Arc<Policy>>,
    strict_mode: bool,
    /// Node-wide state of runtime modules, one value per type (see [`Node::shared`]).
    shared: DashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>,
    /// The event bus (WIPPY-API.md §10.2).
    bus: EventBus,
    /// Where each service and supervisor is (WIPPY-API.md §10.3).
    states: ServiceStates,
    /// Set by [`Node::request_exit`]: the exit code the node is asked to stop with.
    exit: tokio::sync::watch::Sender<Option<u8>>,
    /// The cluster transport, once installed (SPEC §10); `None` on a lone node.
    remote: std::sync::OnceLock<Arc<dyn crate::remote::Remote>>,
    /// Spawns on other nodes waiting for their answers.
    remote_spawns: remote_spawn::PendingSpawns,
    /// Cluster-wide names: this node's and its peers' (SPEC §10).
    cluster_names: cluster_names::ClusterNames,
}

/// The first PID counter of a node. A lone node counts from 0. A node of a cluster
/// (`cluster:` in `troupe.yaml`) starts at its boot time in microseconds × 4,096, so a
/// PID of an earlier incarnation of the same node name is never a PID of this one (SPEC
/// §10, as OTP's node "creation"): the earlier incarnation would have had to spawn more
/// than 4,096 processes per microsecond to reach this one's first counter.
fn first_counter(registry: &Registry) -> u64 {
    if registry.node.cluster.is_none() {
        return 0;
    }
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64);
    (micros & ((1 << 51) - 1)) << 12
}

/// A running node. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Node(Arc<NodeInner>);

impl Node {
    /// A node for `registry`, with no hosts or runtimes yet.
    pub fn new(registry: Arc<Registry>) -> Node {
        let entries = registry
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), Arc::new(v.clone())))
            .collect();
        let policies = match Scope::policies_of(&registry) {
            Ok(p) => p,
            Err(errors) => {
                for e in &errors {
                    tracing::error!(error = %e, "policy left out");
                }
                Vec::new()
            }
        };
        let strict_mode = registry.node.strict_mode;
        let states = ServiceStates::of(&registry);
        let counter = first_counter(&registry);
        let node = Node(Arc::new(NodeInner {
            name: registry.node.name.as_str().into(),
            registry,
            entries,
            procs: DashMap::new(),
            names: DashMap::new(),
            hosts: RwLock::new(HashMap::new()),
            runtimes: RwLock::new(HashMap::new()),
            counter: AtomicU64::new(counter),
            stopping: AtomicBool::new(false),
            default_host: RwLock::new(String::new()),
            policies,
            strict_mode,
            shared: DashMap::new(),
            bus: EventBus::default(),
            states,
            exit: tokio::sync::watch::channel(None).0,
            remote: std::sync::OnceLock::new(),
            remote_spawns: Default::default(),
            cluster_names: Default::default(),
        }));
        node.add_runtime(Arc::new(crate::supervisor::SupervisorRuntime));
        node
    }

    /// Install the cluster transport (SPEC §10). Once per node; a second call is ignored
    /// and returns `false`.
    pub fn set_remote(&self, remote: Arc<dyn crate::remote::Remote>) -> bool {
        self.0.remote.set(remote).is_ok()
    }

    /// The cluster transport, if one is installed.
    pub(crate) fn remote(&self) -> Option<&Arc<dyn crate::remote::Remote>> {
        self.0.remote.get()
    }

    /// The host used for processes that name none (supervisors, services without `host`).
    pub fn default_host(&self) -> String {
        self.0.default_host.read().clone()
    }

    /// Set the default host (the facade does this at boot).
    pub fn set_default_host(&self, id: &str) {
        *self.0.default_host.write() = id.to_string();
    }

    /// The node name used in PIDs.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The registry the node was booted from.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.0.registry
    }

    /// An entry by full ID.
    pub fn entry(&self, id: &str) -> Option<Arc<Entry>> {
        self.0.entries.get(id).cloned()
    }

    /// The `max_mailbox` (bytes, SPEC §3.6) a new process of `entry` gets: the entry's
    /// `limits.max_mailbox`, else `troupe.yaml`'s `limits.max_mailbox`, else
    /// [`crate::DEFAULT_MAX_MAILBOX`] (64 MiB). The one place a process's mailbox bound is
    /// decided; read once per spawn, fixed for the process's life.
    pub fn max_mailbox_for(&self, entry: &Entry) -> u64 {
        entry
            .resolved_limits(&self.0.registry.node.limits)
            .max_mailbox
    }

    /// Register a runtime for its kinds (later registrations win).
    pub fn add_runtime(&self, rt: Arc<dyn Runtime>) {
        let mut map = self.0.runtimes.write();
        for k in rt.kinds() {
            map.insert(k, rt.clone());
        }
    }

    /// Start a host with `workers` threads under `id`.
    ///
    /// Errors: the OS refused threads.
    pub fn add_host(&self, id: &str, workers: usize) -> std::io::Result<Arc<Host>> {
        let host = Host::start(id, workers)?;
        self.0.hosts.write().insert(id.to_string(), host.clone());
        Ok(host)
    }

    /// A host by entry ID.
    pub fn host(&self, id: &str) -> Option<Arc<Host>> {
        self.0.hosts.read().get(id).cloned()
    }

    /// Every running host, in ID order.
    pub fn hosts(&self) -> Vec<Arc<Host>> {
        let mut v: Vec<_> = self.0.hosts.read().values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The node's event bus (WIPPY-API.md §10.2).
    pub fn bus(&self) -> &EventBus {
        &self.0.bus
    }

    /// Where each service and supervisor is (WIPPY-API.md §10.3), read-only.
    pub fn supervision(&self) -> &dyn SupervisionView {
        &self.0.states
    }

    /// Ask the node to stop in order (services in reverse dependency order, as after
    /// SIGTERM) and exit with `code` (Lua's `system.exit`). The first request wins.
    pub fn request_exit(&self, code: u8) {
        self.0.exit.send_if_modified(|c| {
            if c.is_none() {
                *c = Some(code);
                true
            } else {
                false
            }
        });
    }

    /// Resolves with the code of the first [`Node::request_exit`]; never otherwise.
    pub async fn exit_requested(&self) -> u8 {
        let mut rx = self.0.exit.subscribe();
        match rx.wait_for(|c| c.is_some()).await {
            Ok(c) => c.unwrap_or(0),
            Err(_) => std::future::pending().await,
        }
    }

    /// The node-wide value of type `T`, created by `init` on first use: state a runtime
    /// module shares between all processes of this node (e.g. Lua's `env` storages and
    /// token stores). Lives as long as the node. `init` runs under the map's lock, so it
    /// must not call `shared` itself.
    pub fn shared<T: Send + Sync + 'static>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let any = self
            .0
            .shared
            .entry(std::any::TypeId::of::<T>())
            .or_insert_with(|| Arc::new(init()))
            .clone();
        // The map holds only a `T` under `TypeId::of::<T>()`.
        match any.downcast::<T>() {
            Ok(t) => t,
            Err(_) => unreachable!("Node::shared: a value stored under another type"),
        }
    }

    /// Refuse new spawns from now on.
    pub fn begin_shutdown(&self) {
        self.0.stopping.store(true, Ordering::Relaxed);
    }

    /// Stop every host thread (remaining processes are dropped).
    pub fn stop_hosts(&self) {
        let hosts: Vec<_> = self.0.hosts.read().values().cloned().collect();
        for h in hosts {
            h.stop();
        }
    }
}
