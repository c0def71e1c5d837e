//! Error types: [`ErrorKind`] (the Wippy error kinds Lua sees), [`ProcessError`] (why a
//! process exited or an operation failed) and [`KernelError`] (kernel API failures).

use std::fmt;

/// Error kinds as in Wippy's `errors` module (WIPPY-API.md §4): a closed set the runtime
/// produces, plus any string a Lua program gives `errors.new{kind = ...}` ([`ErrorKind::Custom`]),
/// kept as it is across processes and calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Wippy's `errors.UNKNOWN` (`""`): no kind. Crossing a process or call boundary it
    /// becomes [`ErrorKind::Internal`] (as Wippy).
    Unknown,
    Invalid,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    Timeout,
    Canceled,
    Unavailable,
    Internal,
    Conflict,
    RateLimited,
    /// A kind string outside the set above (`"LimitExceeded"`, a program's own kind).
    Custom(std::sync::Arc<str>),
}

impl ErrorKind {
    /// The kinds with a constant in the Lua `errors` module.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::Unknown,
        ErrorKind::Invalid,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::PermissionDenied,
        ErrorKind::Timeout,
        ErrorKind::Canceled,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
    ];

    /// The kind's value, as Wippy's `err:kind()` returns it: `"NotFound"`, `""` for
    /// [`ErrorKind::Unknown`], the string itself for a custom kind.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorKind::Unknown => "",
            ErrorKind::Invalid => "Invalid",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::AlreadyExists => "AlreadyExists",
            ErrorKind::PermissionDenied => "PermissionDenied",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Canceled => "Canceled",
            ErrorKind::Unavailable => "Unavailable",
            ErrorKind::Internal => "Internal",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::Custom(s) => s,
        }
    }

    /// The name of the kind's constant in the Lua `errors` module (`NOT_FOUND`); `None`
    /// for a custom kind.
    pub fn const_name(&self) -> Option<&'static str> {
        Some(match self {
            ErrorKind::Unknown => "UNKNOWN",
            ErrorKind::Invalid => "INVALID",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::AlreadyExists => "ALREADY_EXISTS",
            ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Canceled => "CANCELED",
            ErrorKind::Unavailable => "UNAVAILABLE",
            ErrorKind::Internal => "INTERNAL",
            ErrorKind::Conflict => "CONFLICT",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::Custom(_) => return None,
        })
    }

    /// A known kind from its value (`"NotFound"`) or, for payloads written by older
    /// guests, its constant name (`"NOT_FOUND"`); `None` for anything else.
    pub fn parse(s: &str) -> Option<ErrorKind> {
        ErrorKind::ALL
            .iter()
            .find(|k| k.as_str() == s || k.const_name() == Some(s))
            .cloned()
    }

    /// The kind a string names: a known kind as [`ErrorKind::parse`], else a custom kind
    /// (`""` is [`ErrorKind::Unknown`]).
    pub fn named(s: &str) -> ErrorKind {
        ErrorKind::parse(s).unwrap_or_else(|| ErrorKind::Custom(s.into()))
    }
}

/// An error with a kind and a message: the error side of an exit result, of an operation
/// result, and the Lua `errors` object (as Wippy's: a kind, a message, whether a retry may
/// succeed, and a table of details).
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessError {
    pub kind: ErrorKind,
    pub message: String,
    /// Wippy's `err:retryable()`: `Some(true)`/`Some(false)` when known, `None` unset.
    pub retryable: Option<bool>,
    /// Wippy's `err:details()`: a map value, `None` when there are none. Its size counts
    /// in [`crate::copy::footprint`] like any other part of a value.
    pub details: Option<Box<crate::Value>>,
}

impl ProcessError {
    /// An error of `kind` with `message`, no retryable flag and no details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProcessError {
            kind,
            message: message.into(),
            retryable: None,
            details: None,
        }
    }
    /// The exit reason of a process killed by `terminate`.
    pub fn terminated() -> Self {
        ProcessError::new(ErrorKind::Canceled, "terminated")
    }
    /// The exit reason of a process that died because a linked process failed (SPEC §3.3).
    pub fn link_failed() -> Self {
        ProcessError::new(ErrorKind::Internal, "linked process failed")
    }
    /// This error as it crosses a process or call boundary: no kind becomes
    /// [`ErrorKind::Internal`] (as Wippy; message, retryable and details kept).
    pub fn at_boundary(mut self) -> Self {
        if self.kind == ErrorKind::Unknown {
            self.kind = ErrorKind::Internal;
        }
        self
    }
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProcessError {}

/// Failures of kernel operations (spawn, send, link, …).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KernelError {
    #[error("process {0} not found")]
    ProcessNotFound(String),
    #[error("entry {0} not found")]
    EntryNotFound(String),
    #[error("entry {id} has kind {kind}, which cannot be spawned")]
    NotSpawnable { id: String, kind: String },
    #[error(
        "entry {id} has kind {kind}; expected a function.lua, function.wat or function.wasm entry, or a process entry with meta.default_host"
    )]
    NotAFunction { id: String, kind: String },
    #[error("host {0} not found")]
    HostNotFound(String),
    /// The entry is of a kind Troupe does not implement (stored in the registry for Lua's
    /// `registry` module, WIPPY-API.md §12); `role` says what it was used as.
    #[error(
        "entry {id} has kind {kind}, which Troupe does not implement; it cannot be used as {role}"
    )]
    Unimplemented {
        id: String,
        kind: String,
        role: &'static str,
    },
    #[error("name {0:?} is already registered")]
    NameTaken(String),
    #[error("invalid topic {0:?}: topics must not start with '@'")]
    InvalidTopic(String),
    /// A topic `listen` refuses (SPEC §3.2, as Wippy): empty, starting with `@`, or
    /// longer than [`crate::mailbox::MAX_TOPIC_BYTES`].
    #[error(
        "invalid topic {0:?}: topics must be non-empty, not start with '@' and be at most 1024 bytes"
    )]
    InvalidListen(String),
    /// A request the kernel does not take as written (what is wrong, in words): a spawn on
    /// another node with a name, an eventual name over its length bound.
    #[error("{0}")]
    InvalidRequest(String),
    /// A process holds [`crate::MAX_EVENTUAL_NAMES`] eventual names already.
    #[error("too many eventual names: a process may hold at most {0}")]
    TooManyNames(usize),
    /// A process listens to [`crate::mailbox::MAX_TOPICS`] topics already.
    #[error("too many topics: a process may listen to at most {0} topics")]
    TooManyTopics(usize),
    /// `unlisten` of a topic the process does not listen to (as Wippy: `false, err`).
    #[error("topic {0:?} is not subscribed")]
    NotListened(String),
    /// A PID argument that is not a printed PID (`registry.register`, as Wippy: Invalid).
    #[error("invalid PID {0:?}")]
    InvalidPid(String),
    #[error("{0}")]
    Start(String),
    #[error("node is shutting down")]
    ShuttingDown,
    /// The destination lives on a node this one is not connected to (SPEC §10: as OTP's
    /// `noconnection`).
    #[error("node {0} is not connected (noconnection)")]
    NoConnection(String),
    /// A security check refused the operation (SPEC §7.2); the message names the actor,
    /// the action and the resource.
    #[error("{0}")]
    Denied(String),
    /// A send refused by the receiver's `max_mailbox` (SPEC §3.6); nothing was queued.
    #[error(
        "mailbox full: {pid} has {queued} bytes queued and a message of {bytes} bytes would exceed max_mailbox ({limit} bytes)"
    )]
    MailboxFull {
        pid: String,
        /// Bytes queued when the send was refused.
        queued: u64,
        /// The refused message's (or batch's) charge.
        bytes: u64,
        limit: u64,
    },
    /// A send to another node refused because it would pass `limit` bytes sent over the
    /// link and not yet acknowledged by that node: the link's bound, or the sending
    /// process's share of it (SPEC §3.6 applied to the cluster: the sending node's memory
    /// stays bounded, and one flooding process does not take the whole link). As a full
    /// mailbox, nothing was queued; try again later.
    #[error(
        "the link to node {node} is busy: the send would pass {limit} bytes not yet acknowledged"
    )]
    LinkBusy { node: String, limit: u64 },
    /// An operation another node refused (a remote spawn denied by its policies, an
    /// unknown entry there, …): its error as that node reported it, kind included.
    #[error("{0}")]
    Remote(Box<ProcessError>),
}

impl KernelError {
    /// The [`ErrorKind`] Lua sees for this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            KernelError::ProcessNotFound(_)
            | KernelError::EntryNotFound(_)
            | KernelError::HostNotFound(_) => ErrorKind::NotFound,
            KernelError::NotSpawnable { .. }
            | KernelError::NotAFunction { .. }
            | KernelError::Unimplemented { .. }
            | KernelError::InvalidTopic(_)
            | KernelError::InvalidListen(_)
            | KernelError::NotListened(_)
            | KernelError::InvalidPid(_)
            | KernelError::InvalidRequest(_) => ErrorKind::Invalid,
            KernelError::TooManyTopics(_) | KernelError::TooManyNames(_) => ErrorKind::Unavailable,
            KernelError::NameTaken(_) => ErrorKind::AlreadyExists,
            KernelError::Start(_) => ErrorKind::Internal,
            KernelError::ShuttingDown
            | KernelError::MailboxFull { .. }
            | KernelError::NoConnection(_)
            | KernelError::LinkBusy { .. } => ErrorKind::Unavailable,
            KernelError::Denied(_) => ErrorKind::PermissionDenied,
            KernelError::Remote(e) => e.kind.clone(),
        }
    }
}

impl From<KernelError> for ProcessError {
    fn from(e: KernelError) -> Self {
        if let KernelError::Remote(e) = e {
            return *e;
        }
        ProcessError::new(e.kind(), e.to_string())
    }
}

/// How a process ended: `Ok(result)` for a normal exit, `Err` for an error exit.
pub type ExitResult = Result<crate::Value, ProcessError>;

/// One-line text of an exit result for logs: the value, or `error: <reason>`.
pub fn describe(r: &ExitResult) -> String {
    match r {
        Ok(v) => v.display(),
        Err(e) => format!("error: {e}"),
    }
}
