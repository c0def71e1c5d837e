//! `cluster:` in `troupe.yaml` (SPEC §10): what parses, the defaults, every bad value as a
//! problem at its position, and the registry digest that nodes compare.

use std::path::PathBuf;
use std::time::Duration;

use troupe_registry::{ClusterConfig, NoChecks, Registry, load};

const INDEX: &str =
    "namespace: app\nentries:\n  - name: w\n    kind: process.lua\n    source: 'return {}'\n";

fn app(tag: &str, index: &str, node: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("troupe-cluster-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("_index.yaml"), index).expect("index");
    if let Some(node) = node {
        std::fs::write(dir.join("troupe.yaml"), node).expect("troupe.yaml");
    }
    dir
}

fn load_ok(tag: &str, index: &str, node: Option<&str>) -> Registry {
    let dir = app(tag, index, node);
    let r = load(&dir, &NoChecks).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    r
}

fn problems(tag: &str, node: &str) -> Vec<String> {
    let dir = app(tag, INDEX, Some(node));
    let err = load(&dir, &NoChecks).expect_err("expected problems");
    let _ = std::fs::remove_dir_all(&dir);
    err.0
        .iter()
        .map(|d| format!("{}:{}: {}", d.location.line, d.location.column, d.message))
        .collect()
}

#[test]
fn cluster_settings_parse_and_default() {
    let r = load_ok(
        "full",
        INDEX,
        Some(
            "cluster:\n  node: alpha\n  listen: 127.0.0.1:7100\n  peers: [127.0.0.1:7101, localhost:7102]\n  cookie_file: cookie.txt\n  timeout: 2s\n",
        ),
    );
    assert_eq!(r.node.name, "alpha");
    let c = r.node.cluster.expect("cluster");
    assert_eq!(c.listen, "127.0.0.1:7100");
    assert_eq!(c.peers, ["127.0.0.1:7101", "localhost:7102"]);
    assert!(c.cookie_file.expect("cookie file").ends_with("cookie.txt"));
    assert_eq!(c.timeout, Duration::from_secs(2));

    let r = load_ok("empty", INDEX, Some("cluster: {}\n"));
    assert_eq!(r.node.cluster, Some(ClusterConfig::default()));
    assert_eq!(r.node.name, "troupe");
    let r = load_ok("none", INDEX, None);
    assert_eq!(r.node.cluster, None);
}

#[test]
fn bad_cluster_values_are_problems_at_their_position() {
    let p = problems(
        "bad",
        "cluster:\n  node: 'a@b'\n  listen: nowhere\n  peers: [127.0.0.1:99999]\n  cookie: secret\n",
    );
    let text = p.join("\n");
    assert!(
        text.contains("2:9: `cluster.node`: \"a@b\" is not a valid node name"),
        "{text}"
    );
    assert!(
        text.contains("3:11: `cluster.listen`: \"nowhere\" is not an address"),
        "{text}"
    );
    assert!(
        text.contains("`cluster.peers`: \"127.0.0.1:99999\" is not an address"),
        "{text}"
    );
    // The cookie is never written in a committed file: an unknown key.
    assert!(text.contains("cookie"), "{text}");
    assert_eq!(p.len(), 4, "{text}");
}

#[test]
fn the_digest_follows_the_application_not_troupe_yaml() {
    let a = load_ok("d1", INDEX, Some("cluster:\n  node: a\n")).digest();
    let b = load_ok(
        "d2",
        INDEX,
        Some("cluster:\n  node: b\n  listen: 127.0.0.1:1\n"),
    )
    .digest();
    assert_eq!(a, b, "troupe.yaml is each node's own");
    assert_eq!(a.len(), 64);
    let changed = INDEX.replace("return {}", "return { x = 1 }");
    let c = load_ok("d3", &changed, None).digest();
    assert_ne!(a, c, "a changed source changes the digest");
}
