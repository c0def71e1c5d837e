//! `process.host`, `process.service`, `process.supervisor` and their shared `lifecycle`
//! block (SPEC §4): timeouts, restart policy, `requires`/`depends_on`, `startup`, security.

use crate::context::{Cx, Fields, reference_list};
use crate::yaml::{Node, Value};
use crate::{
    HostSpec, Lifecycle, RestartPolicy, RestartType, SecuritySpec, ServiceSpec, Shutdown, Strategy,
    SupervisorSpec,
};

/// Fields of `process.host`.
pub(crate) const HOST_FIELDS: &[&str] = &["name", "kind", "meta", "host"];
/// Fields of `process.host` Wippy accepts and Troupe does not use (warnings): `lifecycle`
/// (validated all the same; a host always runs).
pub(crate) const HOST_UNUSED: &[&str] = &["lifecycle"];
/// Fields of `process.service`.
pub(crate) const SERVICE_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "process",
    "host",
    "input",
    "lifecycle",
];
/// Fields of `process.supervisor`.
pub(crate) const SUPERVISOR_FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "children",
    "strategy",
    "intensity",
    "period",
    "lifecycle",
];

/// Keys inside `process.host`'s `host` map.
const HOST_KEYS: &[&str] = &["workers"];
/// Keys of `host` Wippy accepts and Troupe does not use (warnings): scheduler queue sizes.
const HOST_KEYS_UNUSED: &[&str] = &["queue_size", "local_queue_size"];
const LIFECYCLE_KEYS: &[&str] = &[
    "auto_start",
    "node",
    "requires",
    "depends_on",
    "start_timeout",
    "stop_timeout",
    "stable_threshold",
    "restart",
    "security",
    "startup",
];
const RESTART_KEYS: &[&str] = &[
    "initial_delay",
    "max_delay",
    "backoff_factor",
    "jitter",
    "max_attempts",
    "type",
];
const SECURITY_KEYS: &[&str] = &["actor", "policies", "groups"];

const PROCESSES: &[&str] = &["process.lua", "process.wasm"];
const HOSTS: &[&str] = &["process.host"];
const SUPERVISABLE: &[&str] = &["process.service", "process.supervisor"];
const POLICIES: &[&str] = &["security.policy"];

/// Parse `process.host`.
pub(crate) fn parse_host(cx: &mut Cx, f: &Fields) -> Option<HostSpec> {
    let mut workers = None;
    if let Some(node) = f.get("host")
        && let Some(h) =
            Fields::open_with(cx, node, "host", "in `host`", HOST_KEYS, HOST_KEYS_UNUSED)
    {
        workers = h.usize(cx, "workers");
        if workers == Some(0)
            && let Some(n) = h.get("workers")
        {
            cx.error(n, "`host.workers`: expected at least 1 worker");
            workers = None;
        }
        let _ = (h.uint(cx, "queue_size"), h.uint(cx, "local_queue_size"));
    }
    if let Some(node) = f.get("lifecycle") {
        let _ = lifecycle(cx, node);
    }
    Some(HostSpec { workers })
}

/// Parse `process.service`.
pub(crate) fn parse_service(cx: &mut Cx, f: &Fields) -> Option<ServiceSpec> {
    let process = f
        .require(cx, "process")
        .and_then(|n| cx.reference(n, "process", PROCESSES));
    // `host: NODE@HOST_ID` places a supervisor child on another node (SPEC §10).
    let (node, host) = match f.get("host") {
        Some(n) if n.as_str().is_some_and(|t| t.contains('@')) => {
            let (name, id) = n
                .as_str()
                .unwrap_or_default()
                .split_once('@')
                .unwrap_or_default();
            let name = node_name(cx, n, "host", Some(name));
            (name, cx.reference_text(n, id, "host", HOSTS))
        }
        _ => (None, f.reference(cx, "host", "host", HOSTS)),
    };
    let input = match f.get("input") {
        None => Vec::new(),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items.iter().map(Node::to_json).collect(),
        Some(node) => {
            cx.wrong_type("input", "a list of arguments", node);
            Vec::new()
        }
    };
    let lifecycle = f
        .get("lifecycle")
        .map(|n| lifecycle(cx, n))
        .unwrap_or_default();
    Some(ServiceSpec {
        process: process?,
        host,
        node,
        input,
        lifecycle,
    })
}

/// Parse `process.supervisor` (OTP defaults: intensity 1 within 5 s).
pub(crate) fn parse_supervisor(cx: &mut Cx, f: &Fields) -> Option<SupervisorSpec> {
    let children = f
        .require(cx, "children")
        .map(|n| reference_list(cx, n, "children", SUPERVISABLE));
    let strategy = match f.choice(
        cx,
        "strategy",
        &["one_for_one", "one_for_all", "rest_for_one"],
    ) {
        Some("one_for_all") => Strategy::OneForAll,
        Some("rest_for_one") => Strategy::RestForOne,
        _ => Strategy::OneForOne,
    };
    let intensity = f.u32(cx, "intensity").unwrap_or(1);
    let period = f
        .duration(cx, "period")
        .unwrap_or(std::time::Duration::from_secs(5));
    let lifecycle = f
        .get("lifecycle")
        .map(|n| lifecycle(cx, n))
        .unwrap_or_default();
    Some(SupervisorSpec {
        children: children?,
        strategy,
        intensity,
        period,
        lifecycle,
    })
}

/// Parse a `lifecycle` map; absent fields keep [`Lifecycle::default`].
pub(crate) fn lifecycle(cx: &mut Cx, node: &Node) -> Lifecycle {
    let mut lc = Lifecycle::default();
    let Some(f) = Fields::open(cx, node, "lifecycle", "in `lifecycle`", LIFECYCLE_KEYS) else {
        return lc;
    };
    if let Some(b) = f.bool(cx, "auto_start") {
        lc.auto_start = b;
    }
    for (key, field) in [
        ("requires", "lifecycle.requires"),
        ("depends_on", "lifecycle.depends_on"),
    ] {
        if let Some(ids) = f.references(cx, key, field, SUPERVISABLE) {
            lc.requires.extend(ids);
        }
    }
    if let Some(d) = f.duration(cx, "start_timeout") {
        lc.start_timeout = d;
    }
    lc.stop_timeout = f.get("stop_timeout").and_then(|n| match &n.value {
        Value::Str(s) if s == "brutal_kill" => Some(Shutdown::BrutalKill),
        Value::Str(s) if s == "infinity" => Some(Shutdown::Infinity),
        Value::Str(s) => match crate::units::duration(s) {
            Ok(d) => Some(Shutdown::After(d)),
            Err(e) => {
                cx.error(
                    n,
                    format!(
                        "`lifecycle.stop_timeout`: invalid value \"{s}\" ({e}); expected a duration such as \"10s\", `brutal_kill` or `infinity`"
                    ),
                );
                None
            }
        },
        _ => f.duration(cx, "stop_timeout").map(Shutdown::After),
    });
    if let Some(d) = f.duration(cx, "stable_threshold") {
        lc.stable_threshold = d;
    }
    if let Some(n) = f.get("restart") {
        lc.restart = restart(cx, n);
    }
    if let Some(n) = f.get("security") {
        lc.security = security(cx, n);
    }
    lc.optional = f.choice(cx, "startup", &["optional", "required"]) == Some("optional");
    if let Some(n) = f.get("node") {
        lc.node = node_name(cx, n, "lifecycle.node", n.as_str());
    }
    lc
}

/// A cluster node name (SPEC §10) written at `node`, or an error there.
fn node_name(cx: &mut Cx, node: &Node, field: &str, text: Option<&str>) -> Option<String> {
    match text {
        Some(t) if crate::valid_node_name(t) => Some(t.to_string()),
        Some(t) => {
            cx.error(
                node,
                format!(
                    "`{field}`: invalid node name {t:?}; expected a name without spaces, '@', '|', '{{', '}}' or ':'"
                ),
            );
            None
        }
        None => {
            cx.wrong_type(field, "a node name (a string)", node);
            None
        }
    }
}

fn restart(cx: &mut Cx, node: &Node) -> RestartPolicy {
    let mut r = RestartPolicy::default();
    let Some(f) = Fields::open(
        cx,
        node,
        "lifecycle.restart",
        "in `lifecycle.restart`",
        RESTART_KEYS,
    ) else {
        return r;
    };
    if let Some(d) = f.duration(cx, "initial_delay") {
        r.initial_delay = d;
    }
    if let Some(d) = f.duration(cx, "max_delay") {
        r.max_delay = d;
    }
    if let Some(x) = f.number(cx, "backoff_factor") {
        if x >= 1.0 {
            r.backoff_factor = x;
        } else if let Some(n) = f.get("backoff_factor") {
            cx.error(
                n,
                format!("`lifecycle.restart.backoff_factor`: expected a number >= 1.0, found {x}"),
            );
        }
    }
    if let Some(x) = f.number(cx, "jitter") {
        if (0.0..=1.0).contains(&x) {
            r.jitter = x;
        } else if let Some(n) = f.get("jitter") {
            cx.error(
                n,
                format!(
                    "`lifecycle.restart.jitter`: expected a fraction between 0.0 and 1.0, found {x}"
                ),
            );
        }
    }
    if let Some(n) = f.u32(cx, "max_attempts") {
        r.max_attempts = n;
    }
    r.restart_type = match f.choice(cx, "type", &["permanent", "transient", "temporary"]) {
        Some("permanent") => Some(RestartType::Permanent),
        Some("transient") => Some(RestartType::Transient),
        Some("temporary") => Some(RestartType::Temporary),
        _ => None,
    };
    r
}

fn security(cx: &mut Cx, node: &Node) -> Option<SecuritySpec> {
    let f = Fields::open(
        cx,
        node,
        "lifecycle.security",
        "in `lifecycle.security`",
        SECURITY_KEYS,
    )?;
    let mut spec = SecuritySpec {
        actor_id: None,
        actor_meta: Default::default(),
        policies: Vec::new(),
        groups: Vec::new(),
    };
    if let Some(actor) = f.get("actor")
        && let Some(a) = Fields::open(
            cx,
            actor,
            "lifecycle.security.actor",
            "in `lifecycle.security.actor`",
            &["id", "meta"],
        )
    {
        spec.actor_id = a.string(cx, "id");
        spec.actor_meta = a.json_map(cx, "meta").unwrap_or_default();
    }
    spec.policies = f
        .references(cx, "policies", "lifecycle.security.policies", POLICIES)
        .unwrap_or_default();
    spec.groups = f.strings(cx, "groups").unwrap_or_default();
    Some(spec)
}
