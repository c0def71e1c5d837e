//! [`Node`]: one running application — the process table, the name registry, the hosts
//! and the runtimes. Every kernel operation (spawn, send, link, monitor, cancel, terminate,
//! names) goes through here and takes the caller's handle, so the caller's PID and actor
//! travel with it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use dashmap::DashMap;
use parking_lot::RwLock;
use tokio::sync::oneshot;
use troupe_registry::{Entry, Registry};

use crate::bus::{BusEvent, EventBus};
use crate::message::{Envelope, Event, Message};
use crate::process::{ContextMap, Identity, ProcessHandle, ProcessRef};
use crate::runtime::{ProcessBody, ProcessContext, Runtime};
use crate::security::{Actor, Policy, Scope};
use crate::states::{ServiceStates, Status, SupervisionView};
use crate::{ErrorKind, ExitResult, Host, KernelError, Pid, ProcessError, Value};

/// What to spawn and how (SPEC §3.3, the spawner builder of §5).
#[derive(Debug, Clone, Default)]
pub struct SpawnRequest {
    /// Entry ID of a spawnable kind (`process.lua`, `function.lua`, `process.wasm`, …).
    pub entry: String,
    /// `process.host` entry ID.
    pub host: String,
    pub args: Vec<Value>,
    /// Link the new process with `parent` before it runs.
    pub link: bool,
    /// Make `parent` monitor the new process before it runs.
    pub monitor: bool,
    /// The actor the process runs as; `None` inherits the parent's. Setting it (or
    /// `scope`) from a process needs permission `process.security` on the entry ID.
    pub actor: Option<Arc<Actor>>,
    /// The policies it runs under; `None` inherits the parent's.
    pub scope: Option<Arc<Scope>>,
    /// The `ctx` values it sees; `None` inherits the parent's (see [`merge_context`]).
    pub context: Option<Arc<ContextMap>>,
    /// Register the new process under this name before it runs. If a live process holds
    /// the name already, nothing is spawned: `messages` go to that process and its PID
    /// is returned (spawn-or-signal). Needs `process.registry.register` on the name.
    pub name: Option<String>,
    /// Messages `(topic, payload)` from the parent queued before the process runs, so
    /// they are the first it receives.
    pub messages: Vec<(String, Value)>,
    /// Start with `trap_links` set (SPEC §3.3).
    pub trap_links: bool,
}

/// A function call (SPEC §5 `funcs.call`, `funcs.new():...:call`).
#[derive(Debug, Clone, Default)]
pub struct CallRequest {
    /// `function.lua`, `function.wat` or `function.wasm` entry ID.
    pub function: String,
    pub args: Vec<Value>,
    /// Run the function as this actor; needs permission `funcs.security` on the
    /// function ID. `None` inherits the caller's.
    pub actor: Option<Arc<Actor>>,
    /// Run it under these policies (same permission); `None` inherits.
    pub scope: Option<Arc<Scope>>,
    /// Its `ctx` values; `None` inherits the caller's.
    pub context: Option<Arc<ContextMap>>,
}

/// `base` overlaid with `add` (later keys win): how `with_context{...}` extends the
/// context a process inherited (SPEC §5 `ctx`).
pub fn merge_context(base: Option<&Arc<ContextMap>>, add: &ContextMap) -> Arc<ContextMap> {
    let mut m = base.map(|b| (**b).clone()).unwrap_or_default();
    m.extend(add.iter().map(|(k, v)| (k.clone(), v.clone())));
    Arc::new(m)
}

/// Why a process is started: a spawn (checked as `process.spawn`/`process.host`) or a
/// function call (checked as `funcs.call` by [`Node::call`], and cancelled with its
/// caller).
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Spawn,
    Call,
}

/// What a spawner wants back besides the PID.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpawnOptions {
    /// Return a receiver for the exit result.
    pub watch: bool,
    /// Return a receiver told when the process is running (see
    /// [`ProcessHandle::take_ready`]).
    pub ready: bool,
}

/// A spawned process: its PID and the receivers asked for in [`SpawnOptions`].
#[derive(Debug)]
pub struct Spawned {
    pub pid: Pid,
    pub exit: Option<oneshot::Receiver<ExitResult>>,
    /// `Ok(())` once running; `Err` if it exited first (read the exit result for why).
    pub ready: Option<oneshot::Receiver<()>>,
}

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
        let node = Node(Arc::new(NodeInner {
            name: registry.node.name.as_str().into(),
            registry,
            entries,
            procs: DashMap::new(),
            names: DashMap::new(),
            hosts: RwLock::new(HashMap::new()),
            runtimes: RwLock::new(HashMap::new()),
            counter: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            default_host: RwLock::new(String::new()),
            policies,
            strict_mode,
            shared: DashMap::new(),
            bus: EventBus::default(),
            states,
            exit: tokio::sync::watch::channel(None).0,
        }));
        node.add_runtime(Arc::new(crate::supervisor::SupervisorRuntime));
        node
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

    /// The live processes whose PID is on `host`, in PID order, at most `limit` of
    /// them (a snapshot: `system.hosts.processes`).
    pub fn processes_on(&self, host: &str, limit: usize) -> Vec<ProcessRef> {
        let mut v: Vec<_> = self
            .0
            .procs
            .iter()
            .filter(|p| p.pid.host() == host)
            .map(|p| p.clone())
            .collect();
        v.sort_by_key(|p| p.pid.id);
        v.truncate(limit);
        v
    }

    /// Live processes per host ID (`system.hosts.list`).
    pub fn process_counts(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for p in self.0.procs.iter() {
            *m.entry(p.pid.host().to_string()).or_insert(0) += 1;
        }
        m
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

    /// A unit's process was spawned (attempt `retry` since boot or the last stable run).
    pub(crate) fn unit_starting(&self, id: &str, retry: u64) {
        self.0.states.update(id, |s| {
            s.status = Status::Starting;
            s.desired = Status::Running;
            s.retry_count = retry;
        });
    }

    /// A unit runs as `pid`: recorded, and published as `supervisor` `service.start`.
    pub(crate) fn unit_running(&self, id: &str, pid: &Pid) {
        self.0.states.update(id, |s| {
            s.status = Status::Running;
            s.desired = Status::Running;
            s.started_at = Some(std::time::SystemTime::now());
            s.pid = Some(pid.clone());
        });
        self.unit_event(id, "service.start", pid, Status::Running, None);
    }

    /// A unit is being stopped by its supervisor or the node.
    pub(crate) fn unit_stopping(&self, id: &str) {
        self.0.states.update(id, |s| {
            s.status = Status::Stopping;
            s.desired = Status::Stopped;
        });
    }

    /// A unit's process `pid` ended: `stopped` (its supervisor stopped it) or by its
    /// result (`exited` / `failed`); `restart` says whether it will be started again.
    /// Published as `supervisor` `service.stop`.
    pub(crate) fn unit_ended(
        &self,
        id: &str,
        pid: Option<&Pid>,
        result: &ExitResult,
        stopped: bool,
        restart: bool,
    ) {
        let status = match result {
            _ if stopped => Status::Stopped,
            Ok(_) => Status::Exited,
            Err(_) => Status::Failed,
        };
        let error = result.as_ref().err().map(|e| e.message.clone());
        self.0.states.update(id, |s| {
            s.status = status;
            s.desired = if restart {
                Status::Running
            } else {
                Status::Stopped
            };
            s.pid = None;
            if error.is_some() {
                s.error = error.clone();
            }
        });
        if let Some(pid) = pid {
            self.unit_event(id, "service.stop", pid, status, error);
        }
    }

    fn unit_event(&self, id: &str, kind: &str, pid: &Pid, status: Status, error: Option<String>) {
        let mut data = vec![
            (Value::str("pid"), Value::str(pid.as_str())),
            (Value::str("status"), Value::str(status.as_str())),
        ];
        if let Some(e) = error {
            data.push((Value::str("error"), Value::str(e)));
        }
        let _ = self.0.bus.publish(BusEvent {
            system: "supervisor".into(),
            kind: kind.into(),
            path: id.into(),
            data: Value::Map(data),
        });
    }

    /// Number of live processes.
    pub fn process_count(&self) -> usize {
        self.0.procs.len()
    }

    /// A snapshot of the live processes as `(PID, entry ID)`, in PID order: what a leak
    /// check prints when [`Node::process_count`] is not back to its baseline.
    pub fn process_list(&self) -> Vec<(Pid, Arc<str>)> {
        let mut v: Vec<_> = self
            .0
            .procs
            .iter()
            .map(|p| (p.pid.clone(), p.entry.clone()))
            .collect();
        v.sort_by_key(|(pid, _)| pid.id);
        v
    }

    /// Number of bound names (SPEC §3.1). A name is released when its process exits, so
    /// once every process holding one has ended this is back to its earlier value.
    pub fn name_count(&self) -> usize {
        self.0.names.len()
    }

    /// A snapshot of the name registry as `(name, PID counter)`, sorted by name (a bound
    /// name whose process is gone would be a leak).
    pub fn name_list(&self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self
            .0
            .names
            .iter()
            .map(|e| (e.key().clone(), *e.value()))
            .collect();
        v.sort();
        v
    }

    /// A live process by PID.
    pub fn process(&self, pid: &Pid) -> Option<ProcessRef> {
        self.0.procs.get(&pid.id).map(|p| p.clone())
    }

    /// Resolve a destination: a printed PID or a registered name.
    pub fn resolve(&self, dest: &str) -> Option<ProcessRef> {
        let id = if dest.starts_with('{') {
            Pid::parse_id(dest)?
        } else {
            *self.0.names.get(dest)?
        };
        self.0.procs.get(&id).map(|p| p.clone())
    }

    /// Every compiled `security.policy`, by entry ID order.
    pub fn policies(&self) -> &[Arc<Policy>] {
        &self.0.policies
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

    /// `security.strict_mode` of `troupe.yaml`.
    pub fn strict_mode(&self) -> bool {
        self.0.strict_mode
    }

    /// Whether `caller` may do `action` on `resource` (Lua's `security.can`): the same
    /// rule as [`Node::check`], with `meta` for conditions on `meta.*`.
    pub fn can(
        &self,
        caller: &ProcessRef,
        action: &str,
        resource: &str,
        meta: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> bool {
        crate::security::check(
            self.0.strict_mode,
            caller.actor.as_deref(),
            caller.scope.as_deref(),
            action,
            resource,
            meta,
        )
        .is_ok()
    }

    /// The security check of SPEC §7.2 for an operation `caller` makes: `resource` is
    /// built only when a check is needed (strict mode, or a caller with an actor and a
    /// scope). The node itself (`None`) and supervisors (infrastructure acting for the
    /// tree) are not checked.
    ///
    /// Errors: [`KernelError::Denied`] naming the actor, action and resource.
    pub fn check(
        &self,
        caller: Option<&ProcessRef>,
        action: &str,
        resource: impl FnOnce() -> String,
    ) -> Result<(), KernelError> {
        let Some(c) = caller else { return Ok(()) };
        let scoped = c.actor.is_some() && c.scope.is_some();
        if !self.0.strict_mode && !scoped {
            return Ok(());
        }
        if self
            .entry(&c.entry)
            .is_some_and(|e| e.kind_name() == "process.supervisor")
        {
            return Ok(());
        }
        let resource = resource();
        crate::security::check(
            self.0.strict_mode,
            c.actor.as_deref(),
            c.scope.as_deref(),
            action,
            &resource,
            None,
        )
        .map_err(|e| {
            tracing::warn!(
                pid = %c.pid,
                actor = c.actor.as_ref().map(|a| a.id.as_str()).unwrap_or(""),
                action,
                resource = %resource,
                "permission denied"
            );
            KernelError::Denied(e.message)
        })
    }

    /// The actor and scope of a `lifecycle.security` block (SPEC §7.3): the scope holds
    /// the listed `policies` and every policy in one of the listed `groups` (a group is
    /// matched as written in the policy, or qualified by the policy's namespace, e.g.
    /// `app:workers`).
    pub fn security_context(
        &self,
        spec: Option<&troupe_registry::SecuritySpec>,
    ) -> (Option<Arc<Actor>>, Option<Arc<Scope>>) {
        let Some(spec) = spec else {
            return (None, None);
        };
        let actor = spec.actor_id.as_ref().map(|id| {
            Arc::new(Actor {
                id: id.clone(),
                meta: spec.actor_meta.clone(),
            })
        });
        let policies: Vec<Arc<Policy>> = self
            .0
            .policies
            .iter()
            .filter(|p| spec.policies.contains(&p.id) || spec.groups.iter().any(|g| p.in_group(g)))
            .cloned()
            .collect();
        let scope =
            (!policies.is_empty() || actor.is_some()).then(|| Arc::new(Scope::new(policies)));
        (actor, scope)
    }

    fn resolve_or_err(&self, dest: &str) -> Result<ProcessRef, KernelError> {
        self.resolve(dest)
            .ok_or_else(|| KernelError::ProcessNotFound(dest.to_string()))
    }

    /// Spawn a process. `parent` is the caller (for link/monitor and actor inheritance).
    /// Returns the PID and, when `watch` is set, a receiver for the exit result.
    ///
    /// Errors: unknown entry or host, non-spawnable kind, node stopping.
    pub fn spawn(
        &self,
        parent: Option<&ProcessRef>,
        req: SpawnRequest,
        watch: bool,
    ) -> Result<(Pid, Option<oneshot::Receiver<ExitResult>>), KernelError> {
        let s = self.spawn_with(
            parent,
            req,
            SpawnOptions {
                watch,
                ready: false,
            },
        )?;
        Ok((s.pid, s.exit))
    }

    /// [`Node::spawn`] with the receivers of `opts`.
    ///
    /// Errors: as [`Node::spawn`]; [`KernelError::Denied`] for `process.spawn`,
    /// `process.host`, `process.security` (a request that sets `actor` or `scope`) and
    /// `process.registry.register` (a request with `name`).
    pub fn spawn_with(
        &self,
        parent: Option<&ProcessRef>,
        req: SpawnRequest,
        opts: SpawnOptions,
    ) -> Result<Spawned, KernelError> {
        self.start(parent, req, opts, Purpose::Spawn)
    }

    fn start(
        &self,
        parent: Option<&ProcessRef>,
        mut req: SpawnRequest,
        opts: SpawnOptions,
        purpose: Purpose,
    ) -> Result<Spawned, KernelError> {
        if self.0.stopping.load(Ordering::Relaxed) {
            return Err(KernelError::ShuttingDown);
        }
        let entry = self
            .entry(&req.entry)
            .ok_or_else(|| KernelError::EntryNotFound(req.entry.clone()))?;
        unimplemented(&entry, "a process")?;
        let runtime = self
            .0
            .runtimes
            .read()
            .get(entry.kind_name())
            .cloned()
            .ok_or_else(|| KernelError::NotSpawnable {
                id: entry.id.clone(),
                kind: entry.kind_name().to_string(),
            })?;
        if purpose == Purpose::Spawn {
            self.check(parent, "process.spawn", || entry.id.clone())?;
            self.check(parent, "process.host", || req.host.clone())?;
            if req.actor.is_some() || req.scope.is_some() {
                self.check(parent, "process.security", || entry.id.clone())?;
            }
        }
        if let Some(name) = &req.name {
            self.check(parent, "process.registry.register", || name.clone())?;
        }
        let host = match self.host(&req.host) {
            Some(h) => h,
            None => {
                if let Some(e) = self.entry(&req.host) {
                    unimplemented(&e, "a host")?;
                }
                return Err(KernelError::HostNotFound(req.host.clone()));
            }
        };
        let id = self.0.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let pid = Pid::new(&self.0.name, &host.id, id);
        let inherit = Identity {
            actor: req
                .actor
                .clone()
                .or_else(|| parent.and_then(|p| p.actor.clone())),
            scope: req
                .scope
                .clone()
                .or_else(|| parent.and_then(|p| p.scope.clone())),
            context: req
                .context
                .clone()
                .or_else(|| parent.and_then(|p| p.context.clone())),
        };
        let handle = Arc::new(ProcessHandle::new(
            pid.clone(),
            entry.id.as_str().into(),
            inherit,
            self.max_mailbox_for(&entry),
            parent.map(|p| p.pid.clone()),
        ));
        handle.trap_links.store(req.trap_links, Ordering::Release);
        let msgs: Vec<Message> = std::mem::take(&mut req.messages)
            .into_iter()
            .map(|(topic, payload)| self.message(parent, topic.into(), payload))
            .collect();
        self.0.procs.insert(id, handle.clone());
        if let Some(name) = &req.name
            && let Some(holder) = self.claim_name(name, &handle)
        {
            // Spawn-or-signal: the new process never ran and has no relations yet. As
            // Wippy, the messages reach the holder without a sender (`msg:from()` is "");
            // they still carry the spawner's actor.
            self.0.procs.remove(&id);
            let msgs = msgs
                .into_iter()
                .map(|mut m| {
                    m.from = None;
                    m
                })
                .collect();
            return self.signal(parent, &holder, req, msgs, opts);
        }
        // The spawner's messages come first, all or none, before any relation exists: a
        // batch over the new process's `max_mailbox` fails the spawn without a trace.
        if !msgs.is_empty() {
            if let Err(e) = handle.reserve(msgs.iter().map(|m| m.charge).sum()) {
                self.exit(&handle, Err(e.clone().into()));
                return Err(e);
            }
            handle.push_reserved(msgs);
        }
        let rx = if opts.watch {
            let (tx, rx) = oneshot::channel();
            handle.relations.lock().watchers.push(tx);
            Some(rx)
        } else {
            None
        };
        let ready = if opts.ready {
            let (tx, rx) = oneshot::channel();
            handle.set_ready(tx);
            Some(rx)
        } else {
            None
        };
        if let Some(parent) = parent {
            if req.link {
                handle.relations.lock().links.insert(parent.pid.id);
                parent.relations.lock().links.insert(id);
            }
            if req.monitor {
                handle.relations.lock().monitored_by.push(parent.pid.id);
                parent.relations.lock().monitoring.push(id);
            }
            if purpose == Purpose::Call {
                handle.relations.lock().called_by = Some(parent.pid.id);
                parent.relations.lock().calls.push(id);
            }
        }
        tracing::debug!(pid = %pid, entry = %entry.id, "process spawned");
        let node = self.clone();
        let ctx = ProcessContext {
            node: node.clone(),
            handle: handle.clone(),
            entry,
            args: req.args,
        };
        let job: crate::host::Job = Box::new(move || {
            let body = runtime.start(ctx);
            match body {
                Ok(body) => {
                    tokio::task::spawn_local(run_process(node, handle, body, opts.ready));
                }
                Err(e) => node.exit(&handle, Err(e)),
            }
        });
        if let Err(job) = host.run(job) {
            drop(job);
            let h = self.0.procs.get(&id).map(|p| p.clone());
            if let Some(h) = h {
                self.exit(&h, Err(KernelError::ShuttingDown.into()));
            }
            return Err(KernelError::ShuttingDown);
        }
        Ok(Spawned {
            pid,
            exit: rx,
            ready,
        })
    }

    /// The process holding a name bound to `id`: live and not killed. A killed process
    /// runs no more code and exits at its next poll, so its names are free to claim at
    /// once; otherwise a supervisor restarting a child whose predecessor was killed with
    /// its supervisor could find the name still taken (found by tests/chaos.rs). Its exit
    /// then leaves a name rebound meanwhile alone.
    fn name_holder(&self, id: u64) -> Option<ProcessRef> {
        let p = self.0.procs.get(&id).map(|p| p.clone())?;
        (!p.killed.load(Ordering::Acquire)).then_some(p)
    }

    /// Bind `name` to `handle` unless a live process holds it; returns that holder.
    fn claim_name(&self, name: &str, handle: &ProcessRef) -> Option<ProcessRef> {
        match self.0.names.entry(name.to_string()) {
            dashmap::Entry::Occupied(mut o) => {
                if let Some(p) = self.name_holder(*o.get()) {
                    return Some(p);
                }
                o.insert(handle.pid.id);
            }
            dashmap::Entry::Vacant(v) => {
                v.insert(handle.pid.id);
            }
        }
        handle.relations.lock().names.push(name.to_string());
        None
    }

    /// The signal half of spawn-or-signal: link to and monitor the process holding the
    /// name as the request asks (checked as `process.link`/`process.monitor`, so no exit
    /// of the process the caller gets is missed), send it the request's messages (checked
    /// as `process.send`) and answer with its PID.
    ///
    /// The messages are all or none under the holder's `max_mailbox`: they are reserved
    /// before any link or monitor is made, so a refused batch leaves no relation behind.
    ///
    /// Errors: a denied check; the holder's mailbox is full ([`KernelError::MailboxFull`]);
    /// the holder exited meanwhile (`ProcessNotFound`).
    fn signal(
        &self,
        parent: Option<&ProcessRef>,
        holder: &ProcessRef,
        req: SpawnRequest,
        msgs: Vec<Message>,
        opts: SpawnOptions,
    ) -> Result<Spawned, KernelError> {
        let reserved: u64 = msgs.iter().map(|m| m.charge).sum();
        if !msgs.is_empty() {
            self.check(parent, "process.send", || holder.pid.to_string())?;
            holder.reserve(reserved)?;
        }
        if let Some(p) = parent {
            let dest = holder.pid.to_string();
            let linked = if req.link {
                self.link(p, &dest)
            } else {
                Ok(())
            };
            let monitored = linked.and_then(|()| {
                if req.monitor {
                    self.monitor(p, &dest)
                } else {
                    Ok(())
                }
            });
            if let Err(e) = monitored {
                holder.release(reserved);
                return Err(e);
            }
        }
        if !msgs.is_empty() {
            holder.push_reserved(msgs);
        }
        let exit = if opts.watch {
            self.watch(&holder.pid)
        } else {
            None
        };
        Ok(Spawned {
            pid: holder.pid.clone(),
            exit,
            ready: None,
        })
    }

    /// Call a function (`function.lua`, `function.wat`, `function.wasm`) on the caller's
    /// host: the call runs as its own short-lived process that inherits the caller's
    /// actor, scope and `ctx` unless `req` replaces them (SPEC §5, §7.3). The call is
    /// cancelled (killed with `CANCELED`) if the caller ends first. Returns its PID and
    /// the receiver of its result.
    ///
    /// Errors: `function` unknown ([`KernelError::EntryNotFound`]) or not a function
    /// ([`KernelError::NotAFunction`]); [`KernelError::Denied`] for `funcs.call`, or
    /// `funcs.security` when `actor` or `scope` is set; spawn failures as
    /// [`Node::spawn`].
    pub fn call(
        &self,
        caller: &ProcessRef,
        req: CallRequest,
    ) -> Result<(Pid, oneshot::Receiver<ExitResult>), KernelError> {
        let entry = self
            .entry(&req.function)
            .ok_or_else(|| KernelError::EntryNotFound(req.function.clone()))?;
        unimplemented(&entry, "a function")?;
        // As Wippy (WIPPY-API.md §8): a process entry with `meta.default_host` (or
        // `meta.options.default_host`) is callable too: each call spawns a fresh process on
        // that host, with no `ctx` values. Wippy gives it no actor or scope either; Troupe
        // lets it inherit the caller's, as every spawn does (decision: a process without an
        // actor would be allowed everything outside strict mode, so dropping one would
        // raise its rights), and ignores executor overrides for it.
        let process_host = match entry.kind_name() {
            "function.lua" | "function.wat" | "function.wasm" => None,
            "process.lua" | "process.wasm" => match default_host(&entry.meta) {
                Some(h) => Some(h),
                None => {
                    return Err(KernelError::NotAFunction {
                        id: req.function.clone(),
                        kind: entry.kind_name().to_string(),
                    });
                }
            },
            other => {
                return Err(KernelError::NotAFunction {
                    id: req.function.clone(),
                    kind: other.to_string(),
                });
            }
        };
        self.check(Some(caller), "funcs.call", || entry.id.clone())?;
        if req.actor.is_some() || req.scope.is_some() {
            self.check(Some(caller), "funcs.security", || entry.id.clone())?;
        }
        let spawn = match process_host {
            None => SpawnRequest {
                entry: req.function,
                host: caller.pid.host().to_string(),
                args: req.args,
                actor: req.actor,
                scope: req.scope,
                context: req.context,
                ..Default::default()
            },
            // No `ctx` values (as Wippy); actor and scope are the caller's.
            Some(host) => SpawnRequest {
                entry: req.function,
                host,
                args: req.args,
                context: Some(Arc::new(Default::default())),
                ..Default::default()
            },
        };
        let s = self.start(
            Some(caller),
            spawn,
            SpawnOptions {
                watch: true,
                ready: false,
            },
            Purpose::Call,
        )?;
        Ok((s.pid, s.exit.ok_or(KernelError::ShuttingDown)?))
    }

    /// Bookkeeping when a process ends: release names, tell monitors (EXIT), links
    /// (LINK_DOWN or cascade on error exits) and watchers. Idempotent.
    pub fn exit(&self, handle: &ProcessRef, result: ExitResult) {
        let rel = {
            let mut r = handle.relations.lock();
            if !r.alive {
                return;
            }
            r.alive = false;
            std::mem::take(&mut *r)
        };
        let id = handle.pid.id;
        self.0.procs.remove(&id);
        for name in &rel.names {
            self.0.names.remove_if(name, |_, v| *v == id);
        }
        match &result {
            Ok(v) => {
                tracing::debug!(pid = %handle.pid, entry = %handle.entry, result = %v.display(), "process exited")
            }
            Err(e) => {
                tracing::debug!(pid = %handle.pid, entry = %handle.entry, error = %e, "process failed")
            }
        }
        for m in rel.monitored_by {
            if let Some(p) = self.0.procs.get(&m).map(|p| p.clone()) {
                p.relations.lock().monitoring.retain(|x| *x != id);
                p.deliver(Envelope::Event(Event::Exit {
                    from: handle.pid.clone(),
                    result: result.clone(),
                }));
            }
        }
        for l in rel.links {
            let Some(p) = self.0.procs.get(&l).map(|p| p.clone()) else {
                continue;
            };
            p.relations.lock().links.remove(&id);
            if let Err(e) = &result {
                if p.trap_links.load(Ordering::Acquire) {
                    p.deliver(Envelope::Event(Event::LinkDown {
                        from: handle.pid.clone(),
                        reason: e.clone(),
                    }));
                } else {
                    p.kill(ProcessError::link_failed());
                }
            }
        }
        for m in rel.monitoring {
            if let Some(p) = self.0.procs.get(&m).map(|p| p.clone()) {
                p.relations.lock().monitored_by.retain(|x| *x != id);
            }
        }
        for w in rel.watchers {
            let _ = w.send(result.clone());
        }
        for c in rel.calls {
            if let Some(p) = self.0.procs.get(&c).map(|p| p.clone()) {
                p.kill(ProcessError::new(
                    ErrorKind::Canceled,
                    format!("canceled: caller {} ended", handle.pid),
                ));
            }
        }
        if let Some(caller) = rel.called_by
            && let Some(p) = self.0.procs.get(&caller).map(|p| p.clone())
        {
            p.relations.lock().calls.retain(|x| *x != id);
        }
        // After the monitors heard of the exit: a spawner waiting for "running" reads the
        // dropped signal as a failed start and finds the EXIT event already queued.
        drop(handle.take_ready());
    }

    /// `process.send` (SPEC §3.2): queue a message for `dest` (PID or name).
    ///
    /// Errors: topic starts with `@`; no such process (`not found`); the receiver's
    /// mailbox would pass its `max_mailbox` ([`KernelError::MailboxFull`], SPEC §3.6 —
    /// nothing is queued).
    pub fn send(
        &self,
        from: Option<&ProcessRef>,
        dest: &str,
        topic: &str,
        payload: Value,
    ) -> Result<(), KernelError> {
        if topic.starts_with('@') {
            return Err(KernelError::InvalidTopic(topic.to_string()));
        }
        let to = self.resolve_or_err(dest)?;
        self.check(from, "process.send", || to.pid.to_string())?;
        self.send_to(from, &to, topic.into(), payload)
    }

    /// Queue a message for a known process, under its `max_mailbox`.
    ///
    /// Errors: [`KernelError::MailboxFull`] (nothing is queued).
    pub fn send_to(
        &self,
        from: Option<&ProcessRef>,
        to: &ProcessRef,
        topic: Arc<str>,
        payload: Value,
    ) -> Result<(), KernelError> {
        to.try_deliver(self.message(from, topic, payload))
    }

    /// A message from `from` (its PID and actor stamped), charged by size.
    fn message(&self, from: Option<&ProcessRef>, topic: Arc<str>, payload: Value) -> Message {
        Message::new(
            topic,
            from.map(|f| f.pid.clone()),
            payload,
            from.and_then(|f| f.actor.clone()),
        )
    }

    /// `process.cancel`: deliver a CANCEL event (coalesced into one already pending, see
    /// [`ProcessHandle::offer_cancel`]).
    pub fn cancel(
        &self,
        from: Option<&ProcessRef>,
        dest: &str,
        reason: Option<String>,
    ) -> Result<(), KernelError> {
        let to = self.resolve_or_err(dest)?;
        self.check(from, "process.cancel", || to.pid.to_string())?;
        // One pending CANCEL per process: a second is coalesced into it.
        to.offer_cancel(from.map(|f| f.pid.clone()), reason);
        Ok(())
    }

    /// `process.terminate`: kill the process (an error exit).
    pub fn terminate(&self, from: Option<&ProcessRef>, dest: &str) -> Result<(), KernelError> {
        let to = self.resolve_or_err(dest)?;
        self.check(from, "process.terminate", || to.pid.to_string())?;
        to.kill(ProcessError::terminated());
        Ok(())
    }

    /// Kill a known process with a reason.
    pub fn kill(&self, pid: &Pid, reason: ProcessError) -> bool {
        match self.process(pid) {
            Some(p) => {
                p.kill(reason);
                true
            }
            None => false,
        }
    }

    /// `process.link`: bidirectional link between `me` and `dest`.
    pub fn link(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        let other = self.resolve_or_err(dest)?;
        self.check(Some(me), "process.link", || other.pid.to_string())?;
        if other.pid.id == me.pid.id {
            return Ok(());
        }
        {
            let mut r = other.relations.lock();
            if !r.alive {
                return Err(KernelError::ProcessNotFound(dest.to_string()));
            }
            r.links.insert(me.pid.id);
        }
        me.relations.lock().links.insert(other.pid.id);
        Ok(())
    }

    /// `process.unlink`.
    pub fn unlink(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        let other = self.resolve_or_err(dest)?;
        other.relations.lock().links.remove(&me.pid.id);
        me.relations.lock().links.remove(&other.pid.id);
        Ok(())
    }

    /// `process.monitor`: `me` gets an EXIT event when `dest` exits.
    pub fn monitor(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        let other = self.resolve_or_err(dest)?;
        self.check(Some(me), "process.monitor", || other.pid.to_string())?;
        {
            let mut r = other.relations.lock();
            if !r.alive {
                return Err(KernelError::ProcessNotFound(dest.to_string()));
            }
            r.monitored_by.push(me.pid.id);
        }
        me.relations.lock().monitoring.push(other.pid.id);
        Ok(())
    }

    /// `process.unmonitor`.
    pub fn unmonitor(&self, me: &ProcessRef, dest: &str) -> Result<(), KernelError> {
        let other = self.resolve_or_err(dest)?;
        other
            .relations
            .lock()
            .monitored_by
            .retain(|x| *x != me.pid.id);
        me.relations
            .lock()
            .monitoring
            .retain(|x| *x != other.pid.id);
        Ok(())
    }

    /// Watch a process from outside: the receiver gets its exit result.
    pub fn watch(&self, pid: &Pid) -> Option<oneshot::Receiver<ExitResult>> {
        let p = self.process(pid)?;
        let (tx, rx) = oneshot::channel();
        let mut r = p.relations.lock();
        if !r.alive {
            return None;
        }
        r.watchers.push(tx);
        Some(rx)
    }

    /// `process.registry.register(name, pid)`. A name held by a process that was killed
    /// (terminated, or dying from a link or its supervisor) but has not exited yet is
    /// free.
    ///
    /// Errors: the name is held by another live process; no such process.
    pub fn register_name(
        &self,
        caller: Option<&ProcessRef>,
        name: &str,
        pid: &Pid,
    ) -> Result<(), KernelError> {
        self.check(caller, "process.registry.register", || name.to_string())?;
        let p = self
            .process(pid)
            .ok_or_else(|| KernelError::ProcessNotFound(pid.to_string()))?;
        match self.0.names.entry(name.to_string()) {
            dashmap::Entry::Occupied(o) => {
                if *o.get() == pid.id {
                    return Ok(());
                }
                if self.name_holder(*o.get()).is_some() {
                    return Err(KernelError::NameTaken(name.to_string()));
                }
                let mut o = o;
                o.insert(pid.id);
            }
            dashmap::Entry::Vacant(v) => {
                v.insert(pid.id);
            }
        }
        let mut r = p.relations.lock();
        if !r.alive {
            drop(r);
            self.0.names.remove_if(name, |_, v| *v == pid.id);
            return Err(KernelError::ProcessNotFound(pid.to_string()));
        }
        r.names.push(name.to_string());
        Ok(())
    }

    /// `process.registry.lookup(name)`.
    pub fn lookup_name(&self, name: &str) -> Option<Pid> {
        let id = *self.0.names.get(name)?;
        self.0.procs.get(&id).map(|p| p.pid.clone())
    }

    /// `process.registry.unregister(name)`; returns whether it was bound.
    pub fn unregister_name(&self, name: &str) -> bool {
        match self.0.names.remove(name) {
            Some((_, id)) => {
                if let Some(p) = self.0.procs.get(&id) {
                    p.relations.lock().names.retain(|n| n != name);
                }
                true
            }
            None => false,
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

/// Drives a body, honours kill requests, turns panics into error exits and does the exit
/// bookkeeping.
async fn run_process(node: Node, handle: ProcessRef, body: ProcessBody, wants_ready: bool) {
    let result = Guarded {
        handle: handle.clone(),
        body,
        starting: wants_ready,
    }
    .await;
    node.exit(&handle, result);
}

struct Guarded {
    handle: ProcessRef,
    body: ProcessBody,
    /// A spawner waits for the "running" signal, not yet sent.
    starting: bool,
}

impl Future for Guarded {
    type Output = ExitResult;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitResult> {
        if let Some(reason) = self.handle.kill_reason() {
            return Poll::Ready(Err(reason));
        }
        self.handle.steps.fetch_add(1, Ordering::Relaxed);
        let this = &mut *self;
        let polled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| this.body.as_mut().poll(cx)));
        match polled {
            Ok(Poll::Pending) => match self.handle.kill_reason() {
                Some(reason) => Poll::Ready(Err(reason)),
                None => {
                    // Running = the first slice ended blocked on something, not yielded.
                    if self.starting && !self.handle.yielded.swap(false, Ordering::Relaxed) {
                        self.starting = false;
                        if let Some(tx) = self.handle.take_ready() {
                            let _ = tx.send(());
                        }
                    }
                    Poll::Pending
                }
            },
            Ok(Poll::Ready(r)) => Poll::Ready(r),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                Poll::Ready(Err(ProcessError::new(
                    ErrorKind::Internal,
                    format!("process panicked: {msg}"),
                )))
            }
        }
    }
}

/// `meta.default_host` (or `meta.options.default_host`) of a process entry: the host its
/// calls through `funcs` run on (WIPPY-API.md §8).
fn default_host(meta: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    meta.get("default_host")
        .or_else(|| meta.get("options").and_then(|o| o.get("default_host")))
        .and_then(|h| h.as_str())
        .filter(|h| !h.is_empty())
        .map(str::to_string)
}

/// [`KernelError::Unimplemented`] when `entry` is of a kind Troupe does not implement.
fn unimplemented(entry: &Entry, role: &'static str) -> Result<(), KernelError> {
    match &entry.kind {
        troupe_registry::Kind::Unimplemented(kind) => Err(KernelError::Unimplemented {
            id: entry.id.clone(),
            kind: kind.clone(),
            role,
        }),
        _ => Ok(()),
    }
}
