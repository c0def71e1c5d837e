//! Fuzzing the registry loader (issue 11 item 7) with `proptest` on stable Rust: mutated
//! copies of every fixture `_index.yaml` of the repository (bytes flipped, inserted and
//! deleted; lines duplicated, dropped, swapped and re-indented; values replaced by hostile
//! tokens; values nested hundreds of levels deep) and randomly generated definition files,
//! each written to a temp application (as `_index.yaml`, and sometimes as `troupe.yaml`) and
//! fed to the real [`troupe_registry::load`].
//!
//! Property: the loader returns (a registry or problems, each problem at a line ≥ 1) without
//! panicking and without hanging, on a thread with the default 2 MiB stack. `cargo test`
//! runs 256 cases per target; `TROUPE_FUZZ_CASES=N` runs N (the convention shared by the
//! project's fuzz targets).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use troupe_registry::{KIND_NAMES, NoChecks, load};

/// A case that takes longer than this is a hang (a generous bound, not a timing assertion).
const HANG: Duration = Duration::from_secs(60);

/// Cases per target: `TROUPE_FUZZ_CASES`, else 256.
fn cases() -> u32 {
    std::env::var("TROUPE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(256)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // Keep the source tree clean: failures are printed, not persisted.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Every `_index.yaml` / `troupe.yaml` under `tests/` of the repository (sorted).
fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("_index.yaml" | "troupe.yaml")
            ) {
                files.push(path);
            }
        }
    }
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    assert!(seeds.len() > 20, "expected the repository's fixtures");
    seeds
}

/// Values and fragments that hit the loader's edges.
const TOKENS: &[&str] = &[
    "~",
    "null",
    "\"\"",
    "-1",
    "0",
    "1e400",
    "-.inf",
    ".nan",
    "99999999999999999999",
    "16MiB",
    "2TiB",
    "-5MiB",
    "0KiB",
    "250ms",
    "25h",
    "soon",
    "file://missing.lua",
    "file://../outside.lua",
    "file:///dev/zero",
    "file:///etc/hostname",
    "file://.",
    "sha256:00",
    "process.lua",
    "function.wat",
    "process.service",
    "process.supervisor",
    "app:missing",
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!binary aGk=",
    "!custom",
    "? ",
    "|\n  text",
    ">-\n",
    "---\n",
    "...\n",
    "\t",
    "#",
    "\"\\u0000\"",
    "'it''s'",
    "{limits: {max_memory: 0, fuel: 1, max_slice: 2days}}",
    "{lifecycle: {restart: {max_attempts: -1}, requires: [a, a]}}",
    "[1, [2, [3, [4]]]]",
    "\u{feff}",
    "é",
];

/// Field names of every kind, for generated entries.
const FIELDS: &[&str] = &[
    "source",
    "method",
    "modules",
    "imports",
    "limits",
    "host",
    "process",
    "input",
    "lifecycle",
    "children",
    "strategy",
    "intensity",
    "period",
    "policy",
    "groups",
    "fs",
    "path",
    "hash",
    "wit",
    "wasi",
    "pool",
    "directory",
    "read_only",
    "meta",
    "max_memory",
    "max_mailbox",
    "max_message",
    "max_slice",
    "fuel",
    "max_execution_ms",
    "restart",
    "auto_start",
    "requires",
    "security",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    DupLine(usize),
    DropLine(usize),
    SwapLines(usize, usize),
    Indent(usize, i8),
    ReplaceValue(usize, usize),
    /// Wrap a line's value in this many `[` … `]` (or `{k: …}` when true).
    Nest(usize, usize, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, any::<u8>()).prop_map(|(p, b)| Mutation::FlipByte(p, b)),
        (pos, 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        (pos, 1usize..40).prop_map(|(p, n)| Mutation::Delete(p, n)),
        pos.prop_map(Mutation::DupLine),
        pos.prop_map(Mutation::DropLine),
        (pos, pos).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (pos, -4i8..5).prop_map(|(p, d)| Mutation::Indent(p, d)),
        (pos, 0..TOKENS.len()).prop_map(|(p, t)| Mutation::ReplaceValue(p, t)),
        (pos, prop_oneof![1usize..8, 250usize..600], any::<bool>())
            .prop_map(|(p, n, m)| Mutation::Nest(p, n, m)),
    ]
}

fn split_lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match *m {
        Mutation::FlipByte(p, b) => {
            if !text.is_empty() {
                let i = p % text.len();
                text[i] = b;
            }
        }
        Mutation::Insert(p, t) => {
            let i = at(p, text.len());
            text.splice(i..i, TOKENS[t].bytes());
        }
        Mutation::Delete(p, n) => {
            let i = at(p, text.len());
            let end = (i + n).min(text.len());
            text.drain(i..end);
        }
        Mutation::DupLine(p) | Mutation::DropLine(p) => {
            let mut lines = split_lines(text);
            let i = p % lines.len();
            if matches!(m, Mutation::DupLine(_)) {
                let line = lines[i].clone();
                lines.insert(i, line);
            } else {
                lines.remove(i);
            }
            *text = join_lines(&lines);
        }
        Mutation::SwapLines(a, b) => {
            let mut lines = split_lines(text);
            let n = lines.len();
            lines.swap(a % n, b % n);
            *text = join_lines(&lines);
        }
        Mutation::Indent(p, d) => {
            let mut lines = split_lines(text);
            let i = p % lines.len();
            if d >= 0 {
                lines[i].splice(0..0, std::iter::repeat_n(b' ', d as usize));
            } else {
                let strip = lines[i]
                    .iter()
                    .take((-d) as usize)
                    .take_while(|b| **b == b' ')
                    .count();
                lines[i].drain(..strip);
            }
            *text = join_lines(&lines);
        }
        Mutation::ReplaceValue(p, t) | Mutation::Nest(p, t, _) => {
            let mut lines = split_lines(text);
            let i = p % lines.len();
            let line = &mut lines[i];
            let Some(colon) = line.windows(2).position(|w| w == b": ") else {
                return;
            };
            let value: Vec<u8> = line.drain(colon + 2..).collect();
            let new = match *m {
                Mutation::ReplaceValue(..) => TOKENS[t].as_bytes().to_vec(),
                Mutation::Nest(_, n, map) => {
                    let (open, close): (&[u8], &[u8]) =
                        if map { (b"{k: ", b"}") } else { (b"[", b"]") };
                    let mut v = open.repeat(n);
                    v.extend_from_slice(&value);
                    v.extend_from_slice(&close.repeat(n));
                    v
                }
                _ => unreachable!(),
            };
            line.extend_from_slice(&new);
            *text = join_lines(&lines);
        }
    }
}

/// A generated YAML value in flow style.
fn flow_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        (0..TOKENS.len()).prop_map(|t| TOKENS[t].replace('\n', " ")),
        "[a-z_:.]{0,12}",
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "\\PC{0,12}".prop_map(|s| format!("{s:?}")),
    ];
    scalar.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(((0..FIELDS.len()), inner), 0..6).prop_map(|v| {
                let pairs: Vec<String> = v
                    .into_iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{}{i}: {v}", FIELDS[k]))
                    .collect();
                format!("{{{}}}", pairs.join(", "))
            }),
        ]
    })
}

/// A generated definition file: entries of known (or unknown) kinds with random fields.
fn document() -> impl Strategy<Value = Vec<u8>> {
    let field = ((0..FIELDS.len()), flow_value());
    let entry = (
        "[a-z_]{0,6}",
        prop_oneof![
            (0..KIND_NAMES.len()).prop_map(|k| KIND_NAMES[k].to_string()),
            "[a-z.]{0,10}",
        ],
        prop::collection::vec(field, 0..6),
    );
    (
        prop_oneof![Just("app".to_string()), "[a-z.]{0,8}"],
        prop::collection::vec(entry, 0..8),
    )
        .prop_map(|(ns, entries)| {
            let mut s = format!("namespace: {ns}\nentries:\n");
            for (name, kind, fields) in entries {
                s.push_str(&format!("  - name: {name}\n    kind: {kind}\n"));
                let mut seen = std::collections::HashSet::new();
                for (k, v) in fields {
                    if seen.insert(k) {
                        s.push_str(&format!("    {}: {v}\n", FIELDS[k]));
                    }
                }
            }
            s.into_bytes()
        })
}

/// A temp application directory, with a valid Lua file for `file://` sources to find.
struct TempApp(PathBuf);

impl TempApp {
    fn new(tag: &str) -> TempApp {
        let dir = std::env::temp_dir().join(format!("troupe-fuzz-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("app")).unwrap();
        std::fs::write(dir.join("app/worker.lua"), "return 1").unwrap();
        std::fs::write(dir.join("outside.lua"), "return 1").unwrap();
        TempApp(dir)
    }
    fn app(&self) -> PathBuf {
        self.0.join("app")
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Cases that loaded (`LOADED`) or gave problems (`REFUSED`), for the summary line.
static LOADED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// Write `text` as `_index.yaml` (or `troupe.yaml` beside a minimal index) and load it on a
/// fresh thread with the default stack; a panic or a hang fails the case.
fn load_case(app: &Path, text: &[u8], as_node: bool) -> Result<(), TestCaseError> {
    let _ = std::fs::remove_file(app.join("troupe.yaml"));
    if as_node {
        std::fs::write(app.join("_index.yaml"), "namespace: app\nentries: []\n").unwrap();
        std::fs::write(app.join("troupe.yaml"), text).unwrap();
    } else {
        std::fs::write(app.join("_index.yaml"), text).unwrap();
    }
    let dir = app.to_path_buf();
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let outcome = load(&dir, &NoChecks).map(|_| ());
        let _ = tx.send(outcome);
    });
    match rx.recv_timeout(HANG) {
        Ok(Ok(())) => {
            LOADED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Ok(Err(problems)) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            for d in &problems.0 {
                prop_assert!(d.location.line >= 1, "problem without a line: {d}");
                prop_assert!(!d.message.is_empty(), "empty message: {d}");
            }
            Ok(())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err();
            Err(TestCaseError::fail(format!(
                "the loader panicked: {:?}",
                panic.as_ref().and_then(|p| p.downcast_ref::<String>())
            )))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "the loader did not return within {HANG:?}"
        ))),
    }
}

fn run(name: &str, strategy: impl Strategy<Value = (Vec<u8>, bool)>) {
    let t = TempApp::new(name);
    let app = t.app();
    let start = std::time::Instant::now();
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |(text, as_node)| load_case(&app, &text, as_node));
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    // Printed for the record (`--nocapture`): how many cases, how long.
    println!(
        "fuzz {name}: {} cases in {:.1} s (all targets so far: {} loaded, {} with problems, 0 panics, 0 hangs)",
        config().cases,
        start.elapsed().as_secs_f64(),
        LOADED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
}

#[test]
fn mutated_fixtures_never_panic_or_hang() {
    let seeds = seeds();
    let n = seeds.len();
    let strategy = (
        0..n,
        prop::collection::vec(mutation(), 1..8),
        prop::bool::weighted(0.1),
    )
        .prop_map(move |(i, muts, as_node)| {
            let mut text = seeds[i].clone();
            for m in &muts {
                apply(&mut text, m);
            }
            (text, as_node)
        });
    run("mutated", strategy);
}

#[test]
fn generated_documents_never_panic_or_hang() {
    run(
        "generated",
        (document(), prop::bool::weighted(0.1)).prop_map(|(d, n)| (d, n)),
    );
}
