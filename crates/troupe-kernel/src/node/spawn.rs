//! Spawning on a [`Node`] (SPEC §3.3, §5): [`SpawnRequest`] and [`CallRequest`], the
//! security checks of a spawn, the new [`crate::ProcessHandle`] (identity inherited, the
//! spawner's messages queued first, links and monitors installed before the child runs),
//! spawn-or-signal by name, function calls, and handing the body to a host worker.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::oneshot;
use troupe_registry::Entry;

use super::{ExitWatch, Node};
use crate::message::Message;
use crate::process::{ContextMap, Identity, ProcessHandle, ProcessRef};
use crate::runtime::ProcessContext;
use crate::security::{Actor, Scope};
use crate::{KernelError, Pid, Value};

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

/// The spawner of a child started for another node (SPEC §10, `remote_spawn.rs`): its
/// printed PID and actor, the relations it asked for (their far half is installed on the
/// child before it runs) and the reply, sent just before the child is handed to its host.
pub(super) struct Far<'a> {
    pub parent: &'a str,
    pub actor: Option<Arc<Actor>>,
    pub link: bool,
    pub monitor: bool,
    pub announce: &'a dyn Fn(&Pid),
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
    pub exit: Option<ExitWatch>,
    /// `Ok(())` once running; `Err` if it exited first (read the exit result for why).
    pub ready: Option<oneshot::Receiver<()>>,
}

impl Node {
    /// Spawn a process. `parent` is the caller (for link/monitor and actor inheritance).
    /// Returns the PID and, when `watch` is set, a receiver for the exit result.
    ///
    /// Errors: unknown entry or host, non-spawnable kind, node stopping.
    pub fn spawn(
        &self,
        parent: Option<&ProcessRef>,
        req: SpawnRequest,
        watch: bool,
    ) -> Result<(Pid, Option<ExitWatch>), KernelError> {
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
        self.start(parent, req, opts, Purpose::Spawn, None)
    }

    /// Start a child another node asked for (its checks are done): see [`Far`].
    pub(super) fn start_far(
        &self,
        req: SpawnRequest,
        far: Far<'_>,
    ) -> Result<Spawned, KernelError> {
        self.start(
            None,
            req,
            SpawnOptions::default(),
            Purpose::Spawn,
            Some(far),
        )
    }

    fn start(
        &self,
        parent: Option<&ProcessRef>,
        mut req: SpawnRequest,
        opts: SpawnOptions,
        purpose: Purpose,
        far: Option<Far<'_>>,
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
        let mut msgs: Vec<Message> = std::mem::take(&mut req.messages)
            .into_iter()
            .map(|(topic, payload)| self.message(parent, topic.into(), payload))
            .collect();
        if let Some(f) = &far {
            // From the spawner on the other node, with its actor.
            let from = Pid::parse(f.parent);
            for m in &mut msgs {
                m.from = from.clone();
                m.actor = f.actor.clone();
            }
        }
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
            Some(ExitWatch::new(pid.clone(), rx))
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
        if let Some(f) = &far {
            let mut rel = handle.relations.lock();
            let r = rel.remote_mut();
            if f.link {
                r.links.insert(f.parent.to_string());
            }
            if f.monitor {
                r.monitored_by.push(f.parent.to_string());
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
                    tokio::task::spawn_local(super::driver::run_process(
                        node, handle, body, opts.ready,
                    ));
                }
                Err(e) => node.exit(&handle, Err(e)),
            }
        });
        if let Some(f) = &far {
            // The reply leaves before the child can run, so it reaches the spawner's node
            // before any exit signal of the child.
            (f.announce)(&pid);
        }
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
    ) -> Result<(Pid, ExitWatch), KernelError> {
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
            None,
        )?;
        Ok((s.pid, s.exit.ok_or(KernelError::ShuttingDown)?))
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
