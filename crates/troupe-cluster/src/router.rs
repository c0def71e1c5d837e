//! [`Router`]: the one ractor actor of a Troupe node that other nodes talk to. It joins
//! the process group [`GROUP`]; ractor_cluster advertises the group's members to every
//! connected node, so each node sees every other node's router as a remote actor and
//! casts [`Frame`]s to it.
//!
//! A peer becomes usable ("up") when three things are known, in whatever order they
//! arrive: its node session is ready (ractor_cluster's event, with the peer's name and
//! address), its router has joined the group here (a remote actor to cast to), and its
//! [`Frame::Hello`] came with the same registry digest as ours. Until then nothing is sent
//! to it and nothing it sends is delivered. A peer whose digest differs gets
//! [`Frame::Refused`] and its session is closed; both sides log it.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use ractor::message::{BoxedDowncastErr, SerializedMessage};
use ractor::pg::GroupChangeMessage;
use ractor::{Actor, ActorProcessingErr, ActorRef, Message, SupervisionEvent};
use ractor_cluster::node::NodeServerSessionInformation;
use ractor_cluster::{NodeEventSubscription, NodeSessionMessage};
use troupe_kernel::Node;

use crate::link::{ACK_EVERY, Link, SendRefused};
use crate::wire::Frame;

/// The process group every node's router joins.
pub const GROUP: &str = "troupe.router";

/// What the router handles: frames from other nodes (the only variant that crosses the
/// network), and the local node server's session events.
pub enum RouterMsg {
    /// An encoded [`Frame`] from another node.
    Frame(Vec<u8>),
    /// A node session finished its handshake (local only).
    SessionReady(Session),
    /// A node session authenticated (local only).
    SessionAuthenticated(Session),
    /// A node session closed (local only).
    SessionDown(Session),
    /// Time to send heartbeats and look for silent peers (local only).
    Tick,
}

/// What the router keeps of a ractor_cluster node session.
#[derive(Clone)]
pub struct Session {
    pub node_id: u64,
    /// The peer's node name, once the handshake told it.
    pub name: Option<String>,
    pub addr: String,
    pub actor: ActorRef<NodeSessionMessage>,
}

impl From<NodeServerSessionInformation> for Session {
    fn from(s: NodeServerSessionInformation) -> Session {
        Session {
            node_id: s.node_id,
            // ractor_cluster names a peer `NAME@HOSTNAME`; a Troupe node name has no `@`.
            name: s
                .peer_name
                .map(|n| n.name.split('@').next().unwrap_or_default().to_string()),
            addr: s.peer_addr,
            actor: s.actor,
        }
    }
}

impl Message for RouterMsg {
    fn serializable() -> bool {
        true
    }
    fn serialize(self) -> Result<SerializedMessage, BoxedDowncastErr> {
        match self {
            RouterMsg::Frame(bytes) => Ok(SerializedMessage::Cast {
                variant: "frame".into(),
                args: bytes,
                metadata: None,
            }),
            // Session events never leave the node.
            _ => Err(BoxedDowncastErr),
        }
    }
    fn deserialize(m: SerializedMessage) -> Result<Self, BoxedDowncastErr> {
        match m {
            SerializedMessage::Cast { variant, args, .. } if variant == "frame" => {
                Ok(RouterMsg::Frame(args))
            }
            _ => Err(BoxedDowncastErr),
        }
    }
}

/// The peers by node name: where [`crate::ClusterRemote`] casts to.
pub type Peers = Arc<RwLock<HashMap<String, Peer>>>;

/// Most bytes of frames kept for a peer that greeted us but is not up yet
/// ([`Peer::Pending`]): 64 MiB; past it a send fails with `noconnection` rather than
/// growing without bound.
pub const MAX_PENDING_BYTES: usize = 64 << 20;

/// A peer as the senders see it.
pub enum Peer {
    /// Its Hello was accepted, but this side has not yet seen all of its session (the
    /// session event and the process-group notice arrive in no fixed order, and the peer
    /// may already be sending): frames for it wait here, in order, and go out when it is
    /// up. The `usize` is the bytes held.
    Pending(std::collections::VecDeque<Vec<u8>>, usize),
    /// Up: frames go straight to its router.
    Up(Link),
}

impl Peer {
    /// Send `bytes` (an encoded operation frame from `sender`) to the peer, or keep it
    /// until it is up.
    pub fn send(&mut self, bytes: Vec<u8>, sender: Option<&str>) -> Result<(), SendRefused> {
        match self {
            Peer::Up(link) => link.send(bytes, sender),
            Peer::Pending(q, held) if *held + bytes.len() <= MAX_PENDING_BYTES => {
                *held += bytes.len();
                q.push_back(bytes);
                Ok(())
            }
            Peer::Pending(..) => Err(SendRefused::Down),
        }
    }
}

/// The router actor.
pub struct Router;

/// Its arguments.
pub struct RouterArgs {
    pub node: Node,
    pub digest: String,
    pub peers: Peers,
    /// The failure-detection timeout (`cluster.timeout`).
    pub timeout: std::time::Duration,
    /// The `peers` this node dials, by the socket address a session with them reports,
    /// with the node server to dial through: a peer that goes down is dialled again, so
    /// a restarted node rejoins (its new incarnation).
    pub dial: HashMap<String, String>,
    pub server: ActorRef<ractor_cluster::NodeServerMessage>,
}

/// Its state.
pub struct RouterState {
    node: Node,
    digest: String,
    peers: Peers,
    /// Sessions by ractor node ID.
    sessions: HashMap<u64, Session>,
    /// Sessions that authenticated (a session that closes without is a refused cookie).
    authenticated: std::collections::HashSet<u64>,
    /// Remote routers by ractor node ID.
    routers: HashMap<u64, ActorRef<RouterMsg>>,
    /// When each greeted peer was last heard from (any frame).
    heard: HashMap<String, std::time::Instant>,
    timeout: std::time::Duration,
    dial: HashMap<String, String>,
    server: ActorRef<ractor_cluster::NodeServerMessage>,
    /// Bytes of operation frames received from each peer and not yet acknowledged.
    unacked: HashMap<String, usize>,
    /// Sessions with a dialled peer that closed before it was up, in a row, by address:
    /// the next dial waits longer (see [`redial_delay`]) and only the first is logged.
    failed_dials: HashMap<String, u32>,
}

/// How long to wait before dialling a peer again after `failures` sessions in a row
/// closed before it was up: 300 ms doubling to at most 5 s.
fn redial_delay(failures: u32) -> std::time::Duration {
    let ms = 300u64.saturating_mul(1 << failures.min(5));
    std::time::Duration::from_millis(ms.min(5_000))
}

impl RouterState {
    fn name(&self) -> &str {
        self.node.name()
    }

    /// Whether `name`'s Hello matched our digest (it is pending or up): only such a
    /// peer is heard.
    fn greeted(&self, name: &str) -> bool {
        self.peers.read().contains_key(name)
    }

    fn session_named(&self, name: &str) -> Option<&Session> {
        self.sessions
            .values()
            .find(|s| s.name.as_deref() == Some(name))
    }

    /// Send our Hello to the router of node session `id`.
    fn greet(&self, id: u64) {
        if let Some(r) = self.routers.get(&id) {
            let hello = Frame::Hello {
                node: self.name().to_string(),
                digest: self.digest.clone(),
            };
            cast(r, &hello);
        }
    }

    /// Mark `name` up when its session, its router and its Hello are all here.
    fn try_up(&mut self, name: &str) {
        // Only a peer whose Hello matched and that is not up yet.
        if !matches!(self.peers.read().get(name), Some(Peer::Pending(..))) {
            return;
        }
        let Some(s) = self.session_named(name) else {
            return;
        };
        let Some(r) = self.routers.get(&s.node_id) else {
            return;
        };
        tracing::info!(node = %name, addr = %s.addr, "node up");
        let addr = s.addr.clone();
        let r = r.clone();
        let mut peers = self.peers.write();
        let link = Link::new(r, tokio::runtime::Handle::current());
        // What senders queued while it was pending goes first, in order, under the lock
        // that keeps new sends behind it.
        if let Some(Peer::Pending(q, _)) = peers.remove(name) {
            for bytes in q {
                link.accepted(bytes);
            }
        }
        peers.insert(name.to_string(), Peer::Up(link));
        drop(peers);
        self.failed_dials.remove(&addr);
        // SPEC §10: it learns the cluster-wide names held here.
        self.node.node_up(name);
    }

    /// Heartbeats to the peers that are up; a peer silent for longer than the timeout
    /// is taken for gone: its session is closed, which reports it down (SPEC §10, as
    /// OTP's `net_ticktime`). ractor_cluster pings its sessions but never closes one
    /// whose peer stopped answering, so a frozen or cut-off node would otherwise stay
    /// "up" until TCP gives up, minutes later.
    fn tick(&mut self) {
        let now = std::time::Instant::now();
        let ping = Frame::Ping {
            node: self.name().to_string(),
        };
        let up: Vec<(String, ActorRef<RouterMsg>)> = self
            .peers
            .read()
            .iter()
            .filter_map(|(n, p)| match p {
                Peer::Up(link) => Some((n.clone(), link.router.clone())),
                Peer::Pending(..) => None,
            })
            .collect();
        for (name, r) in up {
            cast(&r, &ping);
            self.ack(&name);
            let heard = *self.heard.entry(name.clone()).or_insert(now);
            if now.duration_since(heard) > self.timeout
                && let Some(s) = self.session_named(&name)
            {
                tracing::warn!(
                    node = %name,
                    addr = %s.addr,
                    timeout = %humantime::format_duration(self.timeout),
                    "node {name} sent nothing within the failure-detection timeout; closing its session"
                );
                s.actor.stop(Some("failure-detection timeout".into()));
                self.heard.remove(&name);
            }
        }
    }

    /// Acknowledge what `node` sent (see [`crate::link`]).
    fn ack(&mut self, node: &str) {
        let Some(bytes) = self.unacked.remove(node).filter(|b| *b > 0) else {
            return;
        };
        if let Some(Peer::Up(link)) = self.peers.read().get(node) {
            cast(
                &link.router,
                &Frame::Ack {
                    node: self.name().to_string(),
                    bytes: bytes as u64,
                },
            );
        }
    }

    fn on_frame(&mut self, bytes: &[u8]) {
        let frame = match Frame::decode(bytes) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(error = %e, "dropped a malformed frame from another node");
                return;
            }
        };
        if self.greeted(frame.node()) {
            self.heard
                .insert(frame.node().to_string(), std::time::Instant::now());
        }
        match frame {
            Frame::Ping { .. } => {}
            Frame::Hello { node, digest } => {
                if digest != self.digest {
                    tracing::error!(
                        node = %node,
                        ours = %self.digest,
                        theirs = %digest,
                        "refused node {node}: its application differs from ours (registry digest); every node of a cluster must load the same application"
                    );
                    if let Some(s) = self.session_named(&node) {
                        if let Some(r) = self.routers.get(&s.node_id) {
                            cast(
                                r,
                                &Frame::Refused {
                                    node: self.name().to_string(),
                                    reason: format!(
                                        "registry digest differs (ours {}, yours {digest})",
                                        self.digest
                                    ),
                                },
                            );
                        }
                        let actor = s.actor.clone();
                        // Give the refusal a moment to leave before the session closes.
                        tokio::spawn(async move {
                            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                            actor.stop(Some("registry digest differs".into()));
                        });
                    }
                    return;
                }
                self.heard.insert(node.clone(), std::time::Instant::now());
                self.peers
                    .write()
                    .entry(node.clone())
                    .or_insert_with(|| Peer::Pending(Default::default(), 0));
                self.try_up(&node);
            }
            Frame::Refused { node, reason } => {
                tracing::error!(node = %node, "node {node} refused this node: {reason}");
            }
            Frame::Ack { node, bytes } => {
                if let Some(Peer::Up(link)) = self.peers.read().get(&node) {
                    link.acknowledged(usize::try_from(bytes).unwrap_or(usize::MAX));
                }
            }
            Frame::Op { node, op } => {
                // Its Hello came first on the same session; a node that never sent one
                // (or was refused) is not heard.
                if !self.greeted(&node) {
                    tracing::debug!(node = %node, "dropped a message from a node that did not greet us");
                    return;
                }
                let unacked = self.unacked.entry(node.clone()).or_insert(0);
                *unacked += bytes.len();
                if *unacked >= ACK_EVERY {
                    self.ack(&node);
                }
                if let Err(e) = self.node.remote_op(&node, op.into()) {
                    // As OTP: a send to a dead process is not an error for the sender.
                    tracing::debug!(from = %node, error = %e, "an operation from another node was not applied");
                }
            }
        }
    }

    fn on_down(&mut self, s: Session) {
        let known = self.sessions.remove(&s.node_id);
        self.routers.remove(&s.node_id);
        let was_authenticated = self.authenticated.remove(&s.node_id);
        let name = s.name.or_else(|| known.and_then(|k| k.name));
        if !was_authenticated {
            // A peer we dial is dialled again (it may still be booting), waiting longer
            // each time; the refusal is logged once per streak.
            let failures = match self.dial.get(&s.addr) {
                Some(peer) => {
                    let n = self.failed_dials.entry(s.addr.clone()).or_insert(0);
                    *n += 1;
                    let delay = redial_delay(*n);
                    let server = self.server.clone();
                    let peer = peer.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        crate::connect(server, peer).await;
                    });
                    *n
                }
                None => 1,
            };
            if failures == 1 {
                // ractor_cluster closes a session whose cookie does not match before it
                // authenticates; this side cannot tell more than that.
                tracing::error!(
                    node = name.as_deref().unwrap_or("?"),
                    addr = %s.addr,
                    "refused a connection with {}: authentication failed (wrong cookie?)",
                    s.addr
                );
            }
            return;
        }
        if let Some(name) = name {
            self.heard.remove(&name);
            self.unacked.remove(&name);
            let was = self.peers.write().remove(&name);
            if let Some(Peer::Up(..)) = was {
                tracing::warn!(node = %name, addr = %s.addr, "node down");
                if let Some(peer) = self.dial.get(&s.addr) {
                    // One of our `peers`: dial it until it comes back.
                    tokio::spawn(crate::connect(self.server.clone(), peer.clone()));
                }
            }
            if was.is_some() {
                // SPEC §10: monitors and links of its processes fire with noconnection.
                self.node.node_down(&name);
            }
        }
    }
}

/// Cast `frame` to a router (a frame that does not encode is dropped with a log line).
pub fn cast(to: &ActorRef<RouterMsg>, frame: &Frame) -> bool {
    match frame.encode() {
        Ok(bytes) => to
            .cast(RouterMsg::Frame(crate::wire::pack(&[bytes])))
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "a frame did not encode");
            false
        }
    }
}

impl Actor for Router {
    type Msg = RouterMsg;
    type State = RouterState;
    type Arguments = RouterArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<RouterMsg>,
        args: RouterArgs,
    ) -> Result<RouterState, ActorProcessingErr> {
        ractor::pg::join(GROUP.to_string(), vec![myself.get_cell()]);
        ractor::pg::monitor(GROUP.to_string(), myself.get_cell());
        // Four heartbeats per timeout, every 50 ms to 1 s.
        let period = (args.timeout / 4).clamp(
            std::time::Duration::from_millis(50),
            std::time::Duration::from_secs(1),
        );
        myself.send_interval(period, || RouterMsg::Tick);
        Ok(RouterState {
            node: args.node,
            digest: args.digest,
            peers: args.peers,
            sessions: HashMap::new(),
            authenticated: Default::default(),
            routers: HashMap::new(),
            heard: HashMap::new(),
            timeout: args.timeout,
            dial: args.dial,
            server: args.server,
            failed_dials: HashMap::new(),
            unacked: HashMap::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<RouterMsg>,
        msg: RouterMsg,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RouterMsg::Frame(bytes) => {
                let (frames, bad) = crate::wire::unpack(&bytes);
                for f in frames {
                    state.on_frame(f);
                }
                if let Some(e) = bad {
                    tracing::warn!(error = %e, "dropped the rest of a malformed cast from another node");
                }
            }
            RouterMsg::SessionAuthenticated(s) => {
                state.authenticated.insert(s.node_id);
            }
            RouterMsg::SessionReady(s) => {
                let id = s.node_id;
                let name = s.name.clone();
                state.sessions.insert(id, s);
                state.greet(id);
                if let Some(n) = name {
                    state.try_up(&n);
                }
            }
            RouterMsg::SessionDown(s) => state.on_down(s),
            RouterMsg::Tick => state.tick(),
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        _myself: ActorRef<RouterMsg>,
        evt: SupervisionEvent,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        match evt {
            SupervisionEvent::ProcessGroupChanged(GroupChangeMessage::Join(_, group, cells))
                if group == GROUP =>
            {
                for cell in cells {
                    let id = cell.get_id();
                    if id.is_local() {
                        continue;
                    }
                    let node_id = id.node();
                    state.routers.insert(node_id, ActorRef::from(cell));
                    state.greet(node_id);
                    let name = state.sessions.get(&node_id).and_then(|s| s.name.clone());
                    if let Some(n) = name {
                        state.try_up(&n);
                    }
                }
            }
            SupervisionEvent::ProcessGroupChanged(GroupChangeMessage::Leave(_, group, cells))
                if group == GROUP =>
            {
                for cell in cells {
                    let id = cell.get_id();
                    if !id.is_local() {
                        state.routers.remove(&id.node());
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Forwards the node server's session events to the router.
pub struct Events(pub ActorRef<RouterMsg>);

impl NodeEventSubscription for Events {
    fn node_session_opened(&self, _ses: NodeServerSessionInformation) {}
    fn node_session_disconnected(&self, ses: NodeServerSessionInformation) {
        let _ = self.0.cast(RouterMsg::SessionDown(ses.into()));
    }
    fn node_session_authenticated(&self, ses: NodeServerSessionInformation) {
        let _ = self.0.cast(RouterMsg::SessionAuthenticated(ses.into()));
    }
    fn node_session_ready(&self, ses: NodeServerSessionInformation) {
        let _ = self.0.cast(RouterMsg::SessionReady(ses.into()));
    }
}
