//! Troupe nodes forming a cluster (SPEC §10) on **ractor_cluster**: its node server
//! listens and connects, authenticates peers by magic cookie and keeps the node sessions
//! (transitive connections, as Erlang's); Troupe adds, on top, one router actor per node
//! ([`router`]) that checks every peer runs the same application (registry digest) and
//! carries Troupe's messages ([`wire`]) between the kernels.
//!
//! The kernel knows nothing of this crate: [`Cluster::start`] installs a
//! [`troupe_kernel::Remote`] on the node, and [`troupe_kernel::Node::send`] hands it
//! every message whose destination PID names another node.
//!
//! Threading: ractor's actors run on a tokio runtime of their own (one thread), never on
//! a process host's workers; a send from a process is a non-blocking cast.

pub mod link;
pub mod router;
pub mod wire;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorRef};
use ractor_cluster::node::NodeConnectionMode;
use ractor_cluster::{NodeServer, NodeServerMessage};
use troupe_kernel::{KernelError, Node, Remote, RemoteOp};
use troupe_registry::ClusterConfig;

use link::SendRefused;
use router::{Events, Peer, Peers, Router, RouterArgs, RouterMsg};
use wire::Frame;

/// The environment variable that holds the cookie (it wins over `cookie_file`).
pub const COOKIE_ENV: &str = "TROUPE_COOKIE";

/// Stack of the cluster runtime's threads, where frames from other nodes are decoded
/// (values up to the copy bound of 512 levels) and built: 16 MiB.
pub const STACK: usize = 16 << 20;

/// How often a `peers` address that refused the connection is tried again.
const RETRY: Duration = Duration::from_millis(300);

/// Why a node could not join its cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no cookie: set the environment variable {COOKIE_ENV} or `cluster.cookie_file` in troupe.yaml"
    )]
    NoCookie,
    #[error("cannot read the cookie file {path}: {source}")]
    CookieFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the cookie file {0} is empty")]
    EmptyCookie(std::path::PathBuf),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("cannot start the cluster runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot start the node server: {0}")]
    Spawn(String),
}

/// The cookie: `TROUPE_COOKIE` when set and non-empty, else the first line of
/// `cookie_file`.
///
/// Errors: neither is given; the file cannot be read or is empty.
pub fn cookie(config: &ClusterConfig) -> Result<String, ClusterError> {
    if let Ok(c) = std::env::var(COOKIE_ENV)
        && !c.trim().is_empty()
    {
        return Ok(c.trim().to_string());
    }
    let path = config.cookie_file.as_ref().ok_or(ClusterError::NoCookie)?;
    let text = std::fs::read_to_string(path).map_err(|source| ClusterError::CookieFile {
        path: path.clone(),
        source,
    })?;
    match text.lines().next().map(str::trim) {
        Some(c) if !c.is_empty() => Ok(c.to_string()),
        _ => Err(ClusterError::EmptyCookie(path.clone())),
    }
}

/// A running cluster membership: the node server, the router and their runtime. Dropping
/// it leaves the cluster (sessions close; peers see this node go down).
pub struct Cluster {
    rt: Option<tokio::runtime::Runtime>,
    server: ActorRef<NodeServerMessage>,
    router: ActorRef<RouterMsg>,
    peers: Peers,
    /// The address it listens on.
    pub listen: SocketAddr,
}

impl Cluster {
    /// Join: listen on `config.listen`, connect to `config.peers` (retried in the
    /// background until each answers), and install the transport on `node`. Peers must
    /// present `cookie` (ractor_cluster's handshake) and the same registry digest
    /// ([`troupe_registry::Registry::digest`]).
    ///
    /// Errors: the listen address does not resolve or is taken; the runtime or the actors
    /// could not start.
    pub fn start(
        node: &Node,
        config: &ClusterConfig,
        cookie: String,
    ) -> Result<Cluster, ClusterError> {
        let listen = resolve(&config.listen)?;
        // ractor_cluster's listener logs a bind failure and stops; check first so the
        // user gets the reason.
        std::net::TcpListener::bind(listen).map_err(|e| ClusterError::Listen {
            addr: config.listen.clone(),
            reason: e.to_string(),
        })?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("troupe-cluster")
            .thread_stack_size(STACK)
            .enable_all()
            .build()
            .map_err(ClusterError::Runtime)?;
        let peers: Peers = Default::default();
        let digest = node.registry().digest();
        let host = config
            .listen
            .rsplit_once(':')
            .map_or("127.0.0.1", |(h, _)| h)
            .to_string();
        let (server, router) = rt.block_on(async {
            let server = NodeServer::new(
                listen.port(),
                cookie,
                node.name().to_string(),
                host,
                None,
                Some(NodeConnectionMode::Transitive),
            )
            .with_listen_addr(listen.ip());
            let (server, _) = Actor::spawn(None, server, ())
                .await
                .map_err(|e| ClusterError::Spawn(e.to_string()))?;
            let dial = config
                .peers
                .iter()
                .filter_map(|p| Some((resolve(p).ok()?.to_string(), p.clone())))
                .collect();
            let args = RouterArgs {
                node: node.clone(),
                digest,
                peers: peers.clone(),
                timeout: config.timeout,
                dial,
                server: server.clone(),
            };
            let (router, _) = Actor::spawn(None, Router, args)
                .await
                .map_err(|e| ClusterError::Spawn(e.to_string()))?;
            server
                .cast(NodeServerMessage::SubscribeToEvents {
                    id: "troupe".into(),
                    subscription: Box::new(Events(router.clone())),
                })
                .map_err(|e| ClusterError::Spawn(e.to_string()))?;
            Ok::<_, ClusterError>((server, router))
        })?;
        for peer in &config.peers {
            rt.spawn(connect(server.clone(), peer.clone()));
        }
        node.set_remote(Arc::new(ClusterRemote {
            name: node.name().to_string(),
            peers: peers.clone(),
        }));
        tracing::info!(node = %node.name(), listen = %listen, peers = config.peers.len(), "cluster node listening");
        Ok(Cluster {
            rt: Some(rt),
            server,
            router,
            peers,
            listen,
        })
    }
}

/// How long a node that leaves its cluster (`troupe run -x` returning, a signal) waits
/// before closing its sessions when a peer is up: frames still in ractor_cluster's
/// session writers (a reply sent just before the exit) get out. ractor_cluster offers no
/// flush; this is the workaround.
const LINGER: Duration = Duration::from_millis(250);

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.peers.read().is_empty() {
            std::thread::sleep(LINGER);
        }
        self.router.stop(None);
        self.server.stop(None);
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// `host:port` to a socket address (the first one it resolves to).
fn resolve(addr: &str) -> Result<SocketAddr, ClusterError> {
    let err = |reason: String| ClusterError::Listen {
        addr: addr.to_string(),
        reason,
    };
    addr.to_socket_addrs()
        .map_err(|e| err(e.to_string()))?
        .next()
        .ok_or_else(|| err("resolves to no address".into()))
}

/// Connect to `peer`, trying again every [`RETRY`] until it answers (a peer started
/// later is joined when it comes up).
pub(crate) async fn connect(server: ActorRef<NodeServerMessage>, peer: String) {
    let mut logged = false;
    loop {
        match ractor_cluster::client_connect(&server, peer.as_str()).await {
            Ok(()) => {
                tracing::debug!(peer = %peer, "connected to a peer");
                return;
            }
            Err(e) => {
                if !logged {
                    tracing::info!(peer = %peer, error = %e, "peer not reachable yet; retrying");
                    logged = true;
                }
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// The kernel's transport: a cast to the router of the destination node.
struct ClusterRemote {
    name: String,
    peers: Peers,
}

impl Remote for ClusterRemote {
    fn nodes(&self) -> Vec<String> {
        self.peers
            .read()
            .iter()
            .filter(|(_, p)| matches!(p, Peer::Up(..)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn send(&self, node: &str, op: RemoteOp) -> Result<(), KernelError> {
        let down = || KernelError::NoConnection(node.to_string());
        // Checked before encoding: a send to an unknown node costs no copy.
        if !self.peers.read().contains_key(node) {
            return Err(down());
        }
        let frame = Frame::Op {
            node: self.name.clone(),
            op: op.into(),
        };
        // A message or a spawn (the ops a process sizes) is charged to its sender's share
        // of the link (`link.rs`).
        let sender = match &frame {
            Frame::Op {
                op: wire::WireOp::Send(m),
                ..
            } => m.from.as_deref(),
            Frame::Op {
                op: wire::WireOp::Spawn(s),
                ..
            } => Some(s.from.as_str()),
            _ => None,
        };
        let bytes = frame.encode().map_err(|e| {
            KernelError::Start(format!("cannot encode a message for node {node}: {e}"))
        })?;
        let refused = |r: SendRefused| match r {
            SendRefused::Down => down(),
            SendRefused::Busy(limit) => KernelError::LinkBusy {
                node: node.to_string(),
                limit: limit as u64,
            },
        };
        // The common case, a peer that is up, under the shared lock.
        if let Some(Peer::Up(link)) = self.peers.read().get(node) {
            return link.send(bytes, sender).map_err(refused);
        }
        match self.peers.write().get_mut(node) {
            Some(peer) => peer.send(bytes, sender).map_err(refused),
            None => Err(down()),
        }
    }
}
