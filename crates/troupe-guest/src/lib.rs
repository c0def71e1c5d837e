//! The Rust SDK for Troupe guests (SPEC §6.5): write a wasm actor as a plain
//! `fn main()` built for `wasm32-wasip2`, with serde payloads and typed errors.
//!
//! ```no_run
//! use troupe_guest::{Received, receive, send};
//!
//! fn main() {
//!     loop {
//!         match receive() {
//!             Received::Message(m) if m.topic == "ping" => {
//!                 let n: u64 = m.decode().unwrap_or(0);
//!                 if let Some(from) = &m.from {
//!                     let _ = send(from, "pong", &(n + 1));
//!                 }
//!             }
//!             Received::Event(troupe_guest::Event::Cancel { .. }) => return,
//!             _ => {}
//!         }
//!     }
//! }
//! ```
//!
//! Payloads are MessagePack (see `wit/runtime.wit`): a struct serializes as a map keyed by
//! its field names, so Lua receives a table with those keys; a tuple or `Vec` as an array.
//!
//! The raw bindings are in [`wit`]. An entry using this SDK lists the capabilities it
//! needs in `imports`, e.g. `[troupe:process, troupe:log, wasi:cli, wasi:io, wasi:clocks,
//! wasi:random, wasi:filesystem]` (Rust's standard library imports the `wasi:*` ones).

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The generated `troupe:runtime` bindings (world `actor`).
pub mod wit {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "actor",
        generate_all,
    });
}

use wit::troupe::runtime::{funcs as wfuncs, log as wlog, process as wproc, types as wt};

/// A PID as printed by the node, e.g. `{app@app:host|0x0001a}`.
pub type Pid = String;

/// Error kinds (SPEC §5 `errors`), as Lua's `err:kind()` names them.
pub use wt::ErrorKind;

/// An error from the host or from decoding a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    /// An `INVALID` error.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Invalid,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

impl From<wt::Error> for Error {
    fn from(e: wt::Error) -> Error {
        Error {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// Encode a value as a MessagePack payload (structs as maps keyed by field name).
///
/// Errors: `INVALID` when serde cannot encode the value.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    rmp_serde::to_vec_named(value)
        .map_err(|e| Error::invalid(format!("cannot encode payload: {e}")))
}

/// Decode a MessagePack payload.
///
/// Errors: `INVALID` naming what did not match.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    rmp_serde::from_slice(bytes).map_err(|e| Error::invalid(format!("cannot decode payload: {e}")))
}

/// The sender's identity (SPEC §7.3); `meta` is a JSON object as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub meta: String,
}

/// A message from another process.
#[derive(Debug, Clone)]
pub struct Message {
    pub topic: String,
    /// The sender, `None` for node-injected messages.
    pub from: Option<Pid>,
    /// The MessagePack payload.
    pub payload: Vec<u8>,
    pub actor: Option<Actor>,
}

impl Message {
    /// The payload as `T`.
    ///
    /// Errors: `INVALID` when the payload does not fit `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode(&self.payload)
    }

    /// The payload as a dynamic MessagePack value.
    ///
    /// Errors: `INVALID` when the payload is not MessagePack.
    pub fn value(&self) -> Result<rmpv::Value, Error> {
        rmpv::decode::read_value(&mut self.payload.as_slice())
            .map_err(|e| Error::invalid(format!("cannot decode payload: {e}")))
    }

    /// Reply to the sender under `topic`.
    ///
    /// Errors: no sender (`INVALID`), or as [`send`].
    pub fn reply<T: Serialize + ?Sized>(&self, topic: &str, payload: &T) -> Result<(), Error> {
        match &self.from {
            Some(from) => send(from, topic, payload),
            None => Err(Error::invalid("the message has no sender to reply to")),
        }
    }

    fn from_wit(m: wt::Message) -> Message {
        Message {
            topic: m.topic,
            from: m.from,
            payload: m.payload,
            actor: m.actor.map(|a| Actor {
                id: a.id,
                meta: a.meta,
            }),
        }
    }
}

/// A lifecycle event (SPEC §3.3).
#[derive(Debug, Clone)]
pub enum Event {
    /// A monitored process ended: `Ok(payload)` normally, `Err` with its error.
    Exit {
        from: Pid,
        result: Result<Vec<u8>, Error>,
    },
    /// A linked process failed (only with `set_trap_links(true)`).
    LinkDown { from: Pid, reason: Error },
    /// Someone asked this process to stop.
    Cancel {
        from: Option<Pid>,
        reason: Option<String>,
    },
}

/// What [`receive`] returns.
#[derive(Debug, Clone)]
pub enum Received {
    /// A message through a topic subscription ([`listen`]).
    Topic(Message),
    /// A message through the inbox.
    Message(Message),
    /// A lifecycle event.
    Event(Event),
}

fn from_delivery(d: wt::Delivery) -> Received {
    match d {
        wt::Delivery::Topic(m) => Received::Topic(Message::from_wit(m)),
        wt::Delivery::Inbox(m) => Received::Message(Message::from_wit(m)),
        wt::Delivery::Event(e) => Received::Event(match e {
            wt::Event::Exit(x) => Event::Exit {
                from: x.from,
                result: match (x.value, x.error) {
                    (_, Some(e)) => Err(e.into()),
                    (Some(v), None) => Ok(v),
                    (None, None) => Ok(vec![0xc0]),
                },
            },
            wt::Event::LinkDown(l) => Event::LinkDown {
                from: l.from,
                reason: l.reason.into(),
            },
            wt::Event::Cancel(c) => Event::Cancel {
                from: c.from,
                reason: c.reason,
            },
        }),
    }
}

static OPENED: std::sync::Once = std::sync::Once::new();

fn open_default() {
    OPENED.call_once(|| {
        wproc::inbox();
        wproc::events();
    });
}

/// Wait for the next message or event. Opens the inbox and the events channel on first
/// use, so every message reaches the actor (those on [`listen`]ed topics as
/// [`Received::Topic`]).
pub fn receive() -> Received {
    open_default();
    loop {
        if let Some(d) = wproc::receive(None) {
            return from_delivery(d);
        }
    }
}

/// [`receive`] with a timeout; `None` when it passes.
pub fn receive_timeout(timeout: Duration) -> Option<Received> {
    open_default();
    wproc::receive(Some(timeout.as_millis() as u64)).map(from_delivery)
}

/// Receive through explicitly opened subscriptions only ([`listen`], [`inbox`],
/// [`events`]); `None` on timeout.
pub fn receive_raw(timeout: Option<Duration>) -> Option<Received> {
    wproc::receive(timeout.map(|t| t.as_millis() as u64)).map(from_delivery)
}

/// Route messages on `topic` to [`Received::Topic`]; listening twice is fine.
///
/// Errors: `INVALID` for an empty topic, one starting with `@` or one over 1024 bytes;
/// `UNAVAILABLE` past 4096 listened topics.
pub fn listen(topic: &str) -> Result<(), Error> {
    wproc::listen(topic).map_err(Error::from)
}

/// Stop routing `topic`: later messages on it go to the inbox (if open) or wait; those
/// that arrived while it was listened still come as [`Received::Topic`].
///
/// Errors: `INVALID` when `topic` is not listened.
pub fn unlisten(topic: &str) -> Result<(), Error> {
    wproc::unlisten(topic).map_err(Error::from)
}

/// Open the inbox.
pub fn inbox() {
    wproc::inbox()
}

/// Open the events channel.
pub fn events() {
    wproc::events()
}

/// Send `payload` to a PID or registered name under `topic`.
///
/// Errors: `NOT_FOUND` when the process does not exist; `INVALID` for a bad topic or a
/// payload serde cannot encode.
pub fn send<T: Serialize + ?Sized>(to: &str, topic: &str, payload: &T) -> Result<(), Error> {
    let bytes = encode(payload)?;
    wproc::send(to, topic, &bytes).map_err(Error::from)
}

/// This process's PID.
pub fn pid() -> Pid {
    wproc::self_pid()
}

/// The spawn arguments decoded as `T` (a tuple or `Vec` for several).
///
/// Errors: `INVALID` when they do not fit `T`.
pub fn args<T: DeserializeOwned>() -> Result<T, Error> {
    decode(&wproc::args())
}

/// Options of [`spawn_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SpawnOptions<'a> {
    /// `process.host` entry ID; `None` for this process's host.
    pub host: Option<&'a str>,
    pub link: bool,
    pub monitor: bool,
}

/// Spawn `entry` with `args` (a tuple or `Vec`, one value per argument).
///
/// Errors: `NOT_FOUND` / `INVALID` as the node reports them.
pub fn spawn<A: Serialize + ?Sized>(entry: &str, args: &A) -> Result<Pid, Error> {
    spawn_with(entry, args, SpawnOptions::default())
}

/// [`spawn`] with a host, link and monitor (installed before the child runs).
///
/// Errors: as [`spawn`].
pub fn spawn_with<A: Serialize + ?Sized>(
    entry: &str,
    args: &A,
    opts: SpawnOptions<'_>,
) -> Result<Pid, Error> {
    let bytes = encode(args)?;
    wproc::spawn(
        entry,
        opts.host.unwrap_or(""),
        &bytes,
        opts.link,
        opts.monitor,
    )
    .map_err(Error::from)
}

/// Link with `dest` (SPEC §3.3).
///
/// Errors: `NOT_FOUND`.
pub fn link(dest: &str) -> Result<(), Error> {
    wproc::link(dest).map_err(Error::from)
}

/// Remove a link.
///
/// Errors: `NOT_FOUND`.
pub fn unlink(dest: &str) -> Result<(), Error> {
    wproc::unlink(dest).map_err(Error::from)
}

/// Monitor `dest`: its exit arrives as [`Event::Exit`].
///
/// Errors: `NOT_FOUND`.
pub fn monitor(dest: &str) -> Result<(), Error> {
    wproc::monitor(dest).map_err(Error::from)
}

/// Stop monitoring `dest`.
///
/// Errors: `NOT_FOUND`.
pub fn unmonitor(dest: &str) -> Result<(), Error> {
    wproc::unmonitor(dest).map_err(Error::from)
}

/// Ask `dest` to stop (it receives [`Event::Cancel`]).
///
/// Errors: `NOT_FOUND`.
pub fn cancel(dest: &str, reason: Option<&str>) -> Result<(), Error> {
    wproc::cancel(dest, reason).map_err(Error::from)
}

/// Kill `dest` (an error exit `terminated`).
///
/// Errors: `NOT_FOUND`.
pub fn terminate(dest: &str) -> Result<(), Error> {
    wproc::terminate(dest).map_err(Error::from)
}

/// Trap links: receive [`Event::LinkDown`] instead of dying with a linked process.
pub fn set_trap_links(trap: bool) {
    wproc::set_trap_links(trap)
}

/// Register `name` for this process.
///
/// Errors: `ALREADY_EXISTS`.
pub fn register(name: &str) -> Result<(), Error> {
    wproc::register(name, None).map_err(Error::from)
}

/// Register `name` for the process `pid` (a printed PID; as Wippy, a name is not
/// resolved).
///
/// Errors: `ALREADY_EXISTS`; `INVALID` when `pid` is not a PID; `NOT_FOUND` when no such
/// process lives.
pub fn register_pid(name: &str, pid: &str) -> Result<(), Error> {
    wproc::register(name, Some(pid)).map_err(Error::from)
}

/// The PID registered under `name`.
pub fn lookup(name: &str) -> Option<Pid> {
    wproc::lookup(name)
}

/// Release `name`; whether it was registered.
pub fn unregister(name: &str) -> bool {
    wproc::unregister(name)
}

/// Call a function entry (`function.lua`, `function.wat`, `function.wasm`) with `args`
/// (a tuple or `Vec`), as this process's actor.
///
/// Errors: the function's error, or `INVALID` when the result does not fit `R`.
pub fn call<A: Serialize + ?Sized, R: DeserializeOwned>(id: &str, args: &A) -> Result<R, Error> {
    let bytes = encode(args)?;
    let out = wfuncs::call(id, &bytes).map_err(Error::from)?;
    decode(&out)
}

/// Structured logging through the node's log.
pub mod log {
    use super::wlog::{Level, write};

    /// Log at info level.
    pub fn info(message: &str) {
        write(Level::Info, message, "")
    }
    /// Log at warn level.
    pub fn warn(message: &str) {
        write(Level::Warn, message, "")
    }
    /// Log at error level.
    pub fn error(message: &str) {
        write(Level::Error, message, "")
    }
    /// Log at debug level.
    pub fn debug(message: &str) {
        write(Level::Debug, message, "")
    }
    /// Log with fields given as a JSON object text.
    pub fn with_fields(level: Level, message: &str, fields_json: &str) {
        write(level, message, fields_json)
    }
    pub use super::wlog::Level as LogLevel;
}
