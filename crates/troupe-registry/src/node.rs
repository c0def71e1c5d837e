//! `troupe.yaml` at the application root: node name, `security.strict_mode`, `log_level`,
//! `default_host` (SPEC §2.1), `env` (an allowlist for `env.storage.os`) and `limits`
//! (node-wide defaults, [`crate::NodeLimits`]). Absent file or keys keep
//! [`NodeConfig::default`].

use crate::NodeConfig;
use crate::context::{Cx, Fields};
use crate::yaml::Node;

const KEYS: &[&str] = &[
    "name",
    "security",
    "log_level",
    "default_host",
    "env",
    "limits",
    "cluster",
];

const CLUSTER_KEYS: &[&str] = &["node", "listen", "peers", "cookie_file", "timeout"];

/// Whether `name` may be a node name (it appears in PIDs: `{node@host|0x…}`).
pub fn valid_node_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || "@|{}:".contains(c))
}

/// Whether `addr` is a `host:port` address (a port number after the last `:`).
pub fn valid_address(addr: &str) -> bool {
    addr.rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

/// Parse the root node of `troupe.yaml`. An empty file is all defaults.
pub(crate) fn parse(cx: &mut Cx, root: &Node) -> NodeConfig {
    let mut config = NodeConfig::default();
    if root.value == crate::yaml::Value::Null {
        return config;
    }
    let Some(f) = Fields::open(cx, root, "", "in troupe.yaml", KEYS) else {
        return config;
    };
    if let Some(name) = f.string(cx, "name") {
        let valid = valid_node_name(&name);
        match (valid, f.get("name")) {
            (true, _) => config.name = name,
            (false, Some(n)) => cx.error(
                n,
                format!(
                    "`name`: \"{name}\" is not a valid node name; expected no spaces or any of @ | {{ }} :"
                ),
            ),
            (false, None) => {}
        }
    }
    if let Some(node) = f.get("security")
        && let Some(s) = Fields::open(cx, node, "security", "in `security`", &["strict_mode"])
        && let Some(strict) = s.bool(cx, "strict_mode")
    {
        config.strict_mode = strict;
    }
    config.log_level = f.string(cx, "log_level");
    config.env = f.strings(cx, "env").unwrap_or_default();
    config.default_host = f.reference(cx, "default_host", "default_host", &["process.host"]);
    if let Some(node) = f.get("limits") {
        config.limits = crate::limits::parse_node(cx, node);
    }
    if let Some(node) = f.get("cluster") {
        parse_cluster(cx, node, &mut config);
    }
    config
}

/// `cluster:` (SPEC §10): `node` (the node name, instead of `name`), `listen`, `peers`,
/// `cookie_file`, `timeout`. The cookie itself is never written here.
fn parse_cluster(cx: &mut Cx, node: &Node, config: &mut NodeConfig) {
    let mut cluster = crate::ClusterConfig::default();
    if let Some(f) = Fields::open(cx, node, "cluster", "in `cluster`", CLUSTER_KEYS) {
        if let Some(name) = f.string(cx, "node") {
            match (valid_node_name(&name), f.get("node")) {
                (true, _) => config.name = name,
                (false, Some(n)) => cx.error(
                    n,
                    format!(
                        "`cluster.node`: \"{name}\" is not a valid node name; expected no spaces or any of @ | {{ }} :"
                    ),
                ),
                (false, None) => {}
            }
        }
        if let Some(listen) = f.string(cx, "listen") {
            match (valid_address(&listen), f.get("listen")) {
                (true, _) => cluster.listen = listen,
                (false, Some(n)) => cx.error(
                    n,
                    format!("`cluster.listen`: \"{listen}\" is not an address; expected host:port, e.g. 127.0.0.1:7100"),
                ),
                (false, None) => {}
            }
        }
        if let Some(peers) = f.strings(cx, "peers") {
            for p in peers {
                if valid_address(&p) {
                    cluster.peers.push(p);
                } else if let Some(n) = f.get("peers") {
                    cx.error(
                        n,
                        format!("`cluster.peers`: \"{p}\" is not an address; expected host:port"),
                    );
                }
            }
        }
        cluster.cookie_file = f.string(cx, "cookie_file").map(|p| cx.path(&p));
        if let Some(t) = f.duration(cx, "timeout") {
            cluster.timeout = t;
        }
    }
    config.cluster = Some(cluster);
}
