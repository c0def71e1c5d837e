//! Error types: [`ErrorKind`] (the Wippy error kinds Lua sees), [`ProcessError`] (why a
//! process exited or an operation failed) and [`KernelError`] (kernel API failures).

use std::fmt;

/// Error kinds as in Wippy's `errors` module (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
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
}

impl ErrorKind {
    /// All kinds, for the Lua `errors` constants.
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

    /// The constant's name, e.g. `NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
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
        }
    }

    /// Inverse of [`ErrorKind::as_str`].
    pub fn parse(s: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// An error with a kind and a message: the error side of an exit result, of an operation
/// result, and the Lua `errors` object.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ProcessError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProcessError {
            kind,
            message: message.into(),
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
        "entry {id} has kind {kind}; expected a function.lua, function.wat or function.wasm entry"
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
    #[error("{0}")]
    Start(String),
    #[error("node is shutting down")]
    ShuttingDown,
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
            | KernelError::InvalidTopic(_) => ErrorKind::Invalid,
            KernelError::NameTaken(_) => ErrorKind::AlreadyExists,
            KernelError::Start(_) => ErrorKind::Internal,
            KernelError::ShuttingDown | KernelError::MailboxFull { .. } => ErrorKind::Unavailable,
            KernelError::Denied(_) => ErrorKind::PermissionDenied,
        }
    }
}

impl From<KernelError> for ProcessError {
    fn from(e: KernelError) -> Self {
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
