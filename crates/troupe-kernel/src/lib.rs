//! Troupe's process kernel (SPEC §3, §4): PIDs, mailboxes, links, monitors, names, hosts
//! (schedulers), the preemption clock and service supervision. It knows nothing of Lua
//! or wasm: language runtimes plug in through [`Runtime`].
//!
//! Threading model: each [`Host`] owns `workers` OS threads, each running a
//! single-threaded tokio runtime. A process is a local task on one worker; the shared half
//! of it, [`ProcessHandle`], is what other threads touch (mailbox push + waker).

pub mod bus;
pub mod copy;
mod error;
pub mod host;
pub mod mailbox;
pub mod message;
mod node;
mod pid;
pub mod preempt;
mod process;
pub mod remote;
pub mod runtime;
pub mod security;
pub mod service;
pub mod states;
pub mod supervisor;
mod value;

pub use copy::{CopyError, DEFAULT_MAX_MESSAGE};
pub use error::{ErrorKind, ExitResult, KernelError, ProcessError, describe};
pub use host::Host;
pub use mailbox::Route;
pub use message::{Envelope, Event, Message};
pub use node::{
    CallRequest, ExitWatch, MAX_EVENTUAL_NAMES, NAME_CONFLICT, Node, SpawnOptions, SpawnRequest,
    Spawned, Started, merge_context,
};
pub use pid::Pid;
pub use process::{ContextMap, DEFAULT_MAX_MAILBOX, Identity, ProcessHandle, ProcessRef};
pub use remote::{Remote, RemoteMessage, RemoteOp, RemoteSpawn};
pub use runtime::{ProcessBody, ProcessContext, Runtime};
pub use value::Value;
