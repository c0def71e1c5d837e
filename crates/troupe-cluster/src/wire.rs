//! What Troupe nodes say to each other, inside ractor_cluster's casts: one [`Frame`] per
//! cast, MessagePack-encoded (rmp-serde). ractor_cluster carries the bytes over its
//! authenticated node session (one TCP connection per pair of nodes, so frames between
//! two nodes arrive in the order they were sent).
//!
//! Every frame names the node it comes from: ractor_cluster delivers a cast without its
//! sender, and a node acts only on frames from a peer whose [`Frame::Hello`] it accepted.

use serde::{Deserialize, Serialize};
use troupe_kernel::security::Actor;
use troupe_kernel::{ErrorKind, ProcessError, RemoteMessage, RemoteOp, RemoteSpawn, Value};

/// Deepest value a frame may carry: the kernel's deep-copy bound (a peer cannot make a
/// receiving node build, print or drop a deeper value than a local send could).
pub const MAX_DEPTH: usize = troupe_kernel::copy::MAX_DEPTH;

/// One message between two nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Frame {
    /// The first frame each node sends a new peer: its name and its registry digest
    /// (SPEC §10: a node whose application differs is refused).
    Hello { node: String, digest: String },
    /// A heartbeat, sent to every peer that is up several times per failure-detection
    /// timeout: a peer that sends nothing for the timeout is taken for gone (SPEC §10).
    Ping { node: String },
    /// A refusal, sent before the session is closed, so both sides log why.
    Refused { node: String, reason: String },
    /// The sender received `bytes` more bytes of [`Frame::Op`] frames from the receiver
    /// (the credit that bounds what a node keeps in flight to a peer).
    Ack { node: String, bytes: u64 },
    /// An operation on a process of the receiving node (a send, a link, a monitor, an
    /// exit signal, …).
    Op { node: String, op: WireOp },
}

/// [`RemoteOp`] on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WireOp {
    Send(WireMessage),
    Monitor {
        from: String,
        to: String,
    },
    Unmonitor {
        from: String,
        to: String,
    },
    Link {
        from: String,
        to: String,
    },
    Unlink {
        from: String,
        to: String,
    },
    /// `result`: `Ok(value)` or `Err(error)` with the error as a [`WireValue::Error`].
    Exit {
        from: String,
        to: String,
        result: Result<WireValue, WireValue>,
        link: bool,
    },
    Terminate {
        from: Option<String>,
        to: String,
    },
    Cancel {
        from: Option<String>,
        to: String,
        reason: Option<String>,
    },
    Spawn(Box<WireSpawn>),
    NameClaim {
        name: String,
        pid: String,
        at: u64,
    },
    NameRelease {
        name: String,
        pid: String,
    },
    /// `result`: the child's PID, or the error as a [`WireValue::Error`].
    Spawned {
        reference: u64,
        to: String,
        result: Result<String, WireValue>,
    },
}

/// [`RemoteSpawn`] on the wire (actors as in [`WireMessage`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireSpawn {
    pub reference: u64,
    pub from: String,
    pub caller_actor: Option<(String, String)>,
    pub caller_policies: Option<Vec<String>>,
    pub actor: Option<(String, String)>,
    pub policies: Option<Vec<String>>,
    pub context: Option<Vec<(String, WireValue)>>,
    pub entry: String,
    pub host: String,
    pub args: Vec<WireValue>,
    pub link: bool,
    pub monitor: bool,
    pub trap_links: bool,
    pub messages: Vec<(String, WireValue)>,
}

impl From<RemoteSpawn> for WireSpawn {
    fn from(s: RemoteSpawn) -> WireSpawn {
        WireSpawn {
            reference: s.reference,
            from: s.from,
            caller_actor: s.caller_actor.map(actor_out),
            caller_policies: s.caller_policies,
            actor: s.actor.map(actor_out),
            policies: s.policies,
            context: s
                .context
                .map(|c| c.into_iter().map(|(k, v)| (k, v.into())).collect()),
            entry: s.entry,
            host: s.host,
            args: s.args.into_iter().map(WireValue::from).collect(),
            link: s.link,
            monitor: s.monitor,
            trap_links: s.trap_links,
            messages: s.messages.into_iter().map(|(t, v)| (t, v.into())).collect(),
        }
    }
}

impl From<WireSpawn> for RemoteSpawn {
    fn from(s: WireSpawn) -> RemoteSpawn {
        RemoteSpawn {
            reference: s.reference,
            from: s.from,
            caller_actor: s.caller_actor.map(actor_in),
            caller_policies: s.caller_policies,
            actor: s.actor.map(actor_in),
            policies: s.policies,
            context: s
                .context
                .map(|c| c.into_iter().map(|(k, v)| (k, v.into())).collect()),
            entry: s.entry,
            host: s.host,
            args: s.args.into_iter().map(Value::from).collect(),
            link: s.link,
            monitor: s.monitor,
            trap_links: s.trap_links,
            messages: s.messages.into_iter().map(|(t, v)| (t, v.into())).collect(),
        }
    }
}

impl WireSpawn {
    /// Levels of nesting of the deepest value it carries.
    fn depth(&self) -> usize {
        let context = self.context.iter().flatten().map(|(_, v)| v.depth());
        let messages = self.messages.iter().map(|(_, v)| v.depth());
        self.args
            .iter()
            .map(WireValue::depth)
            .chain(context)
            .chain(messages)
            .max()
            .unwrap_or(0)
    }
}

/// An actor as its ID and its `meta` as JSON text.
fn actor_out(a: Actor) -> (String, String) {
    let meta = serde_json::Value::Object(a.meta).to_string();
    (a.id, meta)
}

/// [`actor_out`] back; a meta that is not a JSON object (a peer's bug) reads as empty.
fn actor_in((id, meta): (String, String)) -> Actor {
    Actor {
        id,
        meta: match serde_json::from_str(&meta) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => Default::default(),
        },
    }
}

/// An error as a [`WireValue::Error`].
fn error_out(e: ProcessError) -> WireValue {
    Value::Error(Box::new(e)).into()
}

/// [`error_out`] back.
fn error_in(e: WireValue) -> ProcessError {
    match Value::from(e) {
        Value::Error(e) => *e,
        // A peer's bug: an error that is not an error value.
        other => ProcessError::new(ErrorKind::Internal, other.display()),
    }
}

impl WireOp {
    /// Levels of nesting of the values it carries.
    pub fn depth(&self) -> usize {
        match self {
            WireOp::Send(m) => m.payload.depth(),
            WireOp::Exit { result, .. } => match result {
                Ok(v) | Err(v) => v.depth(),
            },
            WireOp::Spawn(s) => s.depth(),
            WireOp::Spawned { result: Err(e), .. } => e.depth(),
            _ => 0,
        }
    }
}

impl From<RemoteOp> for WireOp {
    fn from(op: RemoteOp) -> WireOp {
        match op {
            RemoteOp::Send(m) => WireOp::Send(m.into()),
            RemoteOp::Monitor { from, to } => WireOp::Monitor { from, to },
            RemoteOp::Unmonitor { from, to } => WireOp::Unmonitor { from, to },
            RemoteOp::Link { from, to } => WireOp::Link { from, to },
            RemoteOp::Unlink { from, to } => WireOp::Unlink { from, to },
            RemoteOp::Exit {
                from,
                to,
                result,
                link,
            } => WireOp::Exit {
                from,
                to,
                result: match result {
                    Ok(v) => Ok(v.into()),
                    Err(e) => Err(error_out(e)),
                },
                link,
            },
            RemoteOp::Terminate { from, to } => WireOp::Terminate { from, to },
            RemoteOp::Cancel { from, to, reason } => WireOp::Cancel { from, to, reason },
            RemoteOp::Spawn(s) => WireOp::Spawn(Box::new((*s).into())),
            RemoteOp::NameClaim { name, pid, at } => WireOp::NameClaim { name, pid, at },
            RemoteOp::NameRelease { name, pid } => WireOp::NameRelease { name, pid },
            RemoteOp::Spawned {
                reference,
                to,
                result,
            } => WireOp::Spawned {
                reference,
                to,
                result: result.map_err(error_out),
            },
        }
    }
}

impl From<WireOp> for RemoteOp {
    fn from(op: WireOp) -> RemoteOp {
        match op {
            WireOp::Send(m) => RemoteOp::Send(m.into()),
            WireOp::Monitor { from, to } => RemoteOp::Monitor { from, to },
            WireOp::Unmonitor { from, to } => RemoteOp::Unmonitor { from, to },
            WireOp::Link { from, to } => RemoteOp::Link { from, to },
            WireOp::Unlink { from, to } => RemoteOp::Unlink { from, to },
            WireOp::Exit {
                from,
                to,
                result,
                link,
            } => RemoteOp::Exit {
                from,
                to,
                result: match result {
                    Ok(v) => Ok(v.into()),
                    Err(e) => Err(error_in(e)),
                },
                link,
            },
            WireOp::Terminate { from, to } => RemoteOp::Terminate { from, to },
            WireOp::Cancel { from, to, reason } => RemoteOp::Cancel { from, to, reason },
            WireOp::Spawn(s) => RemoteOp::Spawn(Box::new((*s).into())),
            WireOp::NameClaim { name, pid, at } => RemoteOp::NameClaim { name, pid, at },
            WireOp::NameRelease { name, pid } => RemoteOp::NameRelease { name, pid },
            WireOp::Spawned {
                reference,
                to,
                result,
            } => RemoteOp::Spawned {
                reference,
                to,
                result: result.map_err(error_in),
            },
        }
    }
}

impl Frame {
    /// The node that sent the frame.
    pub fn node(&self) -> &str {
        match self {
            Frame::Hello { node, .. }
            | Frame::Ping { node }
            | Frame::Refused { node, .. }
            | Frame::Ack { node, .. }
            | Frame::Op { node, .. } => node,
        }
    }

    /// The frame as bytes.
    ///
    /// Errors: the encoder failed (it does not for these types).
    pub fn encode(&self) -> Result<Vec<u8>, rmp_serde::encode::Error> {
        rmp_serde::to_vec(self)
    }

    /// A frame from bytes.
    ///
    /// Errors: not a frame; a value nested deeper than [`MAX_DEPTH`].
    pub fn decode(bytes: &[u8]) -> Result<Frame, String> {
        use serde::Deserialize as _;
        // Bounded before anything is built: a value level is two MessagePack levels (the
        // variant's map and its array), plus the frame's own few.
        let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
        de.set_max_depth(2 * MAX_DEPTH + 16);
        let f = Frame::deserialize(&mut de).map_err(|e| e.to_string())?;
        if let Frame::Op { op, .. } = &f
            && op.depth() > MAX_DEPTH
        {
            return Err(format!("a payload nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(f)
    }
}

/// Frames packed into one cast (`RouterMsg::Frame`): each as its length (4 bytes, little
/// endian) then its bytes. A sender packs every frame queued for a peer since its last
/// cast into one, so a burst of sends costs one ractor_cluster message and one socket
/// write instead of one each.
pub fn pack(frames: &[Vec<u8>]) -> Vec<u8> {
    let len: usize = frames.iter().map(|f| f.len() + 4).sum();
    let mut out = Vec::with_capacity(len);
    for f in frames {
        // A frame is far below 4 GiB (a message is bounded by max_message).
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// The frames of a [`pack`]ed cast, in order.
///
/// Errors: a length that runs past the end (a peer's bug): the frames before it are kept.
pub fn unpack(mut bytes: &[u8]) -> (Vec<&[u8]>, Option<String>) {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let Some((len, rest)) = bytes.split_first_chunk::<4>() else {
            return (frames, Some("a truncated frame length".into()));
        };
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return (
                frames,
                Some(format!("a frame of {len} bytes with {} left", rest.len())),
            );
        }
        let (frame, rest) = rest.split_at(len);
        frames.push(frame);
        bytes = rest;
    }
    (frames, None)
}

/// [`RemoteMessage`] on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireMessage {
    pub to: String,
    pub topic: String,
    pub from: Option<String>,
    pub payload: WireValue,
    /// The sender's actor: its ID and its `meta` as JSON text.
    pub actor: Option<(String, String)>,
}

impl From<RemoteMessage> for WireMessage {
    fn from(m: RemoteMessage) -> WireMessage {
        WireMessage {
            to: m.to,
            topic: m.topic,
            from: m.from,
            payload: WireValue::from(m.payload),
            actor: m.actor.map(actor_out),
        }
    }
}

impl From<WireMessage> for RemoteMessage {
    fn from(m: WireMessage) -> RemoteMessage {
        RemoteMessage {
            to: m.to,
            topic: m.topic,
            from: m.from,
            payload: m.payload.into(),
            actor: m.actor.map(actor_in),
        }
    }
}

/// [`Value`] on the wire: every value kind of SPEC §3.2, errors with their kind, retry
/// flag and details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WireValue {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(#[serde(with = "serde_bytes")] Vec<u8>),
    Array(Vec<WireValue>),
    Map(Vec<(WireValue, WireValue)>),
    Error {
        kind: String,
        message: String,
        retryable: Option<bool>,
        details: Option<Box<WireValue>>,
    },
}

impl WireValue {
    /// Levels of nesting (a scalar is 0).
    pub fn depth(&self) -> usize {
        match self {
            WireValue::Array(v) => 1 + v.iter().map(WireValue::depth).max().unwrap_or(0),
            WireValue::Map(v) => {
                1 + v
                    .iter()
                    .map(|(k, v)| k.depth().max(v.depth()))
                    .max()
                    .unwrap_or(0)
            }
            WireValue::Error { details, .. } => 1 + details.as_ref().map_or(0, |d| d.depth()),
            _ => 0,
        }
    }
}

impl From<Value> for WireValue {
    fn from(v: Value) -> WireValue {
        match v {
            Value::Nil => WireValue::Nil,
            Value::Bool(b) => WireValue::Bool(b),
            Value::Int(i) => WireValue::Int(i),
            Value::Float(f) => WireValue::Float(f),
            Value::Str(s) => WireValue::Str(s),
            Value::Array(a) => WireValue::Array(a.into_iter().map(WireValue::from).collect()),
            Value::Map(m) => WireValue::Map(
                m.into_iter()
                    .map(|(k, v)| (WireValue::from(k), WireValue::from(v)))
                    .collect(),
            ),
            Value::Error(e) => WireValue::Error {
                kind: e.kind.as_str().to_string(),
                message: e.message,
                retryable: e.retryable,
                details: e.details.map(|d| Box::new(WireValue::from(*d))),
            },
        }
    }
}

impl From<WireValue> for Value {
    fn from(v: WireValue) -> Value {
        match v {
            WireValue::Nil => Value::Nil,
            WireValue::Bool(b) => Value::Bool(b),
            WireValue::Int(i) => Value::Int(i),
            WireValue::Float(f) => Value::Float(f),
            WireValue::Str(s) => Value::Str(s),
            WireValue::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            WireValue::Map(m) => Value::Map(
                m.into_iter()
                    .map(|(k, v)| (Value::from(k), Value::from(v)))
                    .collect(),
            ),
            WireValue::Error {
                kind,
                message,
                retryable,
                details,
            } => {
                let mut e = ProcessError::new(ErrorKind::named(&kind), message);
                e.retryable = retryable;
                e.details = details.map(|d| Box::new(Value::from(*d)));
                Value::Error(Box::new(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_kind_round_trips() {
        let mut err = ProcessError::new(ErrorKind::NotFound, "gone");
        err.retryable = Some(true);
        err.details = Some(Box::new(Value::Map(vec![(Value::str("k"), Value::Int(1))])));
        let payload = Value::Array(vec![
            Value::Nil,
            Value::Bool(true),
            Value::Int(-7),
            Value::Float(1.5),
            Value::Str(vec![0, 255, 10]),
            Value::Map(vec![(Value::Int(1), Value::str("one"))]),
            Value::Error(Box::new(err)),
        ]);
        let m = RemoteMessage {
            to: "{b@app:host|0x00001}".into(),
            topic: "t".into(),
            from: Some("{a@app:host|0x00002}".into()),
            payload,
            actor: Some(Actor {
                id: "alice".into(),
                meta: serde_json::json!({"role": "admin"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            }),
        };
        let f = Frame::Op {
            node: "a".into(),
            op: RemoteOp::Send(m.clone()).into(),
        };
        let back = Frame::decode(&f.encode().expect("encodes")).expect("decodes");
        let Frame::Op { op, .. } = back else {
            panic!("not an op: {back:?}");
        };
        assert_eq!(RemoteOp::from(op), RemoteOp::Send(m));
        let exit = RemoteOp::Exit {
            from: "{a@h|0x00001}".into(),
            to: "{b@h|0x00002}".into(),
            result: Err(ProcessError::new(ErrorKind::Unavailable, "noconnection")),
            link: true,
        };
        let f = Frame::Op {
            node: "a".into(),
            op: exit.clone().into(),
        };
        let Frame::Op { op, .. } = Frame::decode(&f.encode().expect("encodes")).expect("decodes")
        else {
            panic!("not an op");
        };
        assert_eq!(RemoteOp::from(op), exit);
    }

    #[test]
    fn packed_frames_unpack_in_order_and_a_bad_length_keeps_what_came_before() {
        let frames = vec![b"one".to_vec(), Vec::new(), vec![7; 300]];
        let packed = pack(&frames);
        let (back, bad) = unpack(&packed);
        assert_eq!(bad, None);
        assert_eq!(back, frames.iter().map(Vec::as_slice).collect::<Vec<_>>());
        // A length past the end: the first frame survives, the rest is refused.
        let mut broken = pack(&frames[..1]);
        broken.extend_from_slice(&1000u32.to_le_bytes());
        broken.extend_from_slice(b"short");
        let (back, bad) = unpack(&broken);
        assert_eq!(back, vec![b"one".as_slice()]);
        assert!(bad.is_some_and(|e| e.contains("1000 bytes")));
        // A truncated length.
        let (back, bad) = unpack(&[1, 0]);
        assert!(back.is_empty() && bad.is_some());
    }

    /// Runs `f` on a thread with the cluster runtime's stack ([`crate::STACK`]), where
    /// frames are decoded.
    fn on_cluster_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(crate::STACK)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no panic");
    }

    #[test]
    fn garbage_and_deep_values_are_refused() {
        on_cluster_stack(garbage_and_deep_values);
    }

    #[test]
    fn a_frame_nested_far_past_the_bound_is_refused_without_building_it() {
        on_cluster_stack(|| {
            // 100,000 levels of one-element arrays inside a Send frame, hand-encoded: the
            // decoder stops at its depth bound (no stack overflow, nothing built).
            let head = Frame::Op {
                node: "a".into(),
                op: WireOp::Send(WireMessage {
                    to: String::new(),
                    topic: String::new(),
                    from: None,
                    payload: WireValue::Nil,
                    actor: None,
                }),
            }
            .encode()
            .expect("encodes");
            // Replace the payload `Nil` by a deep `{"Array": [ ... ]}` chain.
            let nil = rmp_serde::to_vec(&WireValue::Nil).expect("nil");
            let pos = head
                .windows(nil.len())
                .position(|w| w == nil.as_slice())
                .expect("payload in the frame");
            let level = rmp_serde::to_vec(&WireValue::Array(vec![WireValue::Nil])).expect("level");
            let open = &level[..level.len() - nil.len()];
            let frame = |levels: usize| {
                let mut deep = open.repeat(levels);
                deep.extend_from_slice(&nil);
                [&head[..pos], &deep[..], &head[pos + nil.len()..]].concat()
            };
            // The splice is a well-formed frame: 3 levels decode, as 3 levels.
            match Frame::decode(&frame(3)) {
                Ok(Frame::Op { op, .. }) => assert_eq!(op.depth(), 3),
                other => panic!("3 levels: {other:?}"),
            }
            let err = Frame::decode(&frame(100_000)).expect_err("too deep");
            assert!(err.contains("depth"), "{err}");
        });
    }

    fn garbage_and_deep_values() {
        assert!(Frame::decode(b"\xc1\x00garbage").is_err());
        let mut v = WireValue::Nil;
        for _ in 0..MAX_DEPTH + 1 {
            v = WireValue::Array(vec![v]);
        }
        let f = Frame::Op {
            node: "a".into(),
            op: WireOp::Send(WireMessage {
                to: String::new(),
                topic: String::new(),
                from: None,
                payload: v,
                actor: None,
            }),
        };
        let err = Frame::decode(&f.encode().expect("encodes")).expect_err("too deep");
        assert!(err.contains("deeper"), "{err}");
    }
}
