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
];

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
        let valid = !name.is_empty()
            && !name
                .chars()
                .any(|c| c.is_whitespace() || "@|{}:".contains(c));
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
    config
}
