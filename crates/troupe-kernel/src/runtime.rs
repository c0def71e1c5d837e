//! The seam between the kernel and the languages: a [`Runtime`] turns a registry entry into
//! a process body. The kernel knows nothing of Lua or wasm; `troupe-lua` and `troupe-wasm`
//! implement this trait and register it with the [`crate::Node`] for their entry kinds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use troupe_registry::Entry;

use crate::{ExitResult, Node, ProcessError, ProcessRef, Value};

/// A process body: a future that runs on one worker thread (hence not `Send`) and
/// resolves to the exit result. It must register `ctx.handle`'s waker (see
/// [`crate::ProcessHandle::register_waker`]) to hear of new mailbox items, and call
/// [`crate::ProcessHandle::mark_yielded`] before a `Pending` that is only a preemption
/// yield (so a process still busy starting is not reported as running).
pub type ProcessBody = Pin<Box<dyn Future<Output = ExitResult>>>;

/// Everything a runtime gets to build a body.
pub struct ProcessContext {
    pub node: Node,
    pub handle: ProcessRef,
    pub entry: Arc<Entry>,
    /// Arguments for `main(...)`.
    pub args: Vec<Value>,
}

/// A language runtime.
pub trait Runtime: Send + Sync + 'static {
    /// The entry kinds this runtime runs as processes, e.g. `["process.lua", "function.lua"]`.
    fn kinds(&self) -> &'static [&'static str];

    /// Build the body; called on the worker thread the process will run on.
    ///
    /// Errors: the entry cannot start (bad source, missing method); the process then exits
    /// with this error at once, so monitors and links see it.
    fn start(&self, ctx: ProcessContext) -> Result<ProcessBody, ProcessError>;
}
