//! `troupe check` on hostile applications (SPEC §3.6 "Bad input"), through the real binary:
//! deep YAML, FIFOs, devices, huge files, symlinks out of the app or in loops, `file://`
//! sources escaping the app, wasm paths escaping their `fs.directory`, and `troupe check /`.
//! Each is a problem with file:line and entry ID, and the command always ends (exit 1, no
//! panic, no stack overflow, no hang). The fixtures are built here in a tempdir.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Checked {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `troupe check DIR` under the shared runner's deadline; a hang or a crash fails the
/// test.
fn check(dir: &Path) -> Checked {
    let dir = dir.to_string_lossy();
    let run = common::cli::troupe(&["check", &dir]);
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("overflow"),
        "crash:\n{}",
        run.stderr
    );
    Checked {
        code: run.code,
        stdout: run.stdout,
        stderr: run.stderr,
    }
}

/// A fresh empty directory under the system temp dir, removed on drop.
struct TempApp(PathBuf);

impl TempApp {
    fn new(tag: &str) -> TempApp {
        let dir =
            std::env::temp_dir().join(format!("troupe-bad-input-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("app")).unwrap();
        TempApp(dir)
    }
    /// The application directory (`<tmp>/app`); its parent is outside the app.
    fn app(&self) -> PathBuf {
        self.0.join("app")
    }
    fn write(&self, rel: &str, text: &str) {
        let path = self.app().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

impl Drop for TempApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

/// Problems as printed, with the app directory replaced by `APP` and the temp root by `TMP`.
fn problems(t: &TempApp) -> String {
    let r = check(&t.app());
    assert_eq!(r.code, 1, "expected problems:\n{}{}", r.stdout, r.stderr);
    let app = t.app().canonicalize().unwrap();
    r.stderr
        .replace(&t.app().display().to_string(), "APP")
        .replace(&app.display().to_string(), "APP")
        .replace(&t.0.canonicalize().unwrap().display().to_string(), "TMP")
}

#[track_caller]
fn assert_has(out: &str, expected: &str) {
    assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
}

const WORKER: &str = "namespace: app\nentries:\n  - name: w\n    kind: process.lua\n";

#[test]
fn deep_yaml_sequence_is_a_problem_not_a_stack_overflow() {
    let t = TempApp::new("deep-seq");
    t.write(
        "_index.yaml",
        &format!(
            "namespace: app\nentries:\n  - name: x\n    kind: registry.entry\n    data:\n      {}x\n",
            "- ".repeat(20_000)
        ),
    );
    let out = problems(&t);
    assert_has(
        &out,
        "APP/_index.yaml:6:513: invalid YAML: lists and maps are nested deeper than 256 levels (aliases counted as expanded); expected at most 256",
    );
}

#[test]
fn deep_yaml_mappings_are_problems() {
    // Block mappings, indented one more level each time.
    let t = TempApp::new("deep-map");
    let mut text = String::from(
        "namespace: app\nentries:\n  - name: x\n    kind: registry.entry\n    data:\n",
    );
    for i in 0..300 {
        text.push_str(&format!("{}k:\n", " ".repeat(6 + i)));
    }
    t.write("_index.yaml", &text);
    let out = problems(&t);
    assert_has(&out, "APP/_index.yaml:259:");
    assert_has(&out, "nested deeper than 256 levels");
    // Flow mappings 20,000 deep.
    let t = TempApp::new("deep-flow");
    t.write(
        "_index.yaml",
        &format!(
            "namespace: app\nentries:\n  - name: x\n    kind: registry.entry\n    data: {}1{}\n",
            "{a: ".repeat(20_000),
            "}".repeat(20_000)
        ),
    );
    let out = problems(&t);
    assert_has(&out, "APP/_index.yaml:5:");
    assert_has(&out, "invalid YAML");
}

#[test]
fn fifo_as_index_troupe_yaml_or_source_never_blocks() {
    let t = TempApp::new("fifo");
    t.write(
        "_index.yaml",
        &format!("{WORKER}    source: file://worker.lua\n"),
    );
    mkfifo(&t.app().join("worker.lua"));
    mkfifo(&t.app().join("troupe.yaml"));
    std::fs::create_dir_all(t.app().join("sub")).unwrap();
    mkfifo(&t.app().join("sub/_index.yaml"));
    let out = problems(&t);
    assert_has(
        &out,
        "APP/_index.yaml:5:13: app:w: cannot read source file file://worker.lua (APP/worker.lua): it is a FIFO, not a regular file; expected a regular file",
    );
    assert_has(
        &out,
        "APP/troupe.yaml:1:1: cannot read file: it is a FIFO, not a regular file; expected a regular file",
    );
    assert_has(
        &out,
        "APP/sub/_index.yaml:1:1: cannot read file: it is a FIFO, not a regular file; expected a regular file",
    );
}

#[test]
fn dev_zero_and_devices_are_not_sources() {
    let t = TempApp::new("zero");
    t.write(
        "_index.yaml",
        &format!(
            "{WORKER}    source: file:///dev/zero\n  - name: v\n    kind: process.lua\n    source: file://zero.lua\n"
        ),
    );
    symlink("/dev/zero", t.app().join("zero.lua")).unwrap();
    let out = problems(&t);
    assert_has(
        &out,
        // `file:///abs` may name a file outside the app (as Wippy), but never a device.
        "APP/_index.yaml:5:13: app:w: cannot read source file file:///dev/zero (/dev/zero): it is a character device, not a regular file; expected a regular file",
    );
    assert_has(
        &out,
        "APP/_index.yaml:8:13: app:v: cannot read source file file://zero.lua (APP/zero.lua): it resolves to /dev/zero, outside APP; a file:// source must be inside the application directory",
    );
}

#[test]
fn files_over_64_mib_are_refused() {
    let t = TempApp::new("huge");
    t.write(
        "_index.yaml",
        &format!("{WORKER}    source: file://big.lua\n"),
    );
    // Sparse: 65 MiB on paper, nothing on disk.
    let big = std::fs::File::create(t.app().join("big.lua")).unwrap();
    big.set_len(65 << 20).unwrap();
    std::fs::create_dir_all(t.app().join("sub")).unwrap();
    let index = std::fs::File::create(t.app().join("sub/_index.yaml")).unwrap();
    index.set_len(65 << 20).unwrap();
    let out = problems(&t);
    assert_has(
        &out,
        "APP/_index.yaml:5:13: app:w: cannot read source file file://big.lua (APP/big.lua): it is too large (68157440 bytes or more); expected at most 67108864 bytes (64 MiB)",
    );
    assert_has(
        &out,
        "APP/sub/_index.yaml:1:1: cannot read file: it is too large (68157440 bytes or more); expected at most 67108864 bytes (64 MiB)",
    );
}

#[test]
fn file_sources_are_confined_to_the_app() {
    let t = TempApp::new("confine");
    std::fs::write(t.0.join("outside.lua"), "return 1").unwrap();
    // `file:///abs` is absolute and may be anywhere (as Wippy): only relative paths are
    // confined to the app.
    t.write(
        "_index.yaml",
        &format!(
            "namespace: app\nentries:\n  - name: dotdot\n    kind: process.lua\n    source: file://../outside.lua\n  - name: abs\n    kind: function.lua\n    source: file://{}\n  - name: link\n    kind: process.lua\n    source: file://lib/link.lua\n  - name: inside\n    kind: process.lua\n    source: file://lib/../ok.lua\n",
            t.0.join("outside.lua").display()
        ),
    );
    t.write("ok.lua", "return 1");
    std::fs::create_dir_all(t.app().join("lib")).unwrap();
    symlink(t.0.join("outside.lua"), t.app().join("lib/link.lua")).unwrap();
    let out = problems(&t);
    assert_has(
        &out,
        "APP/_index.yaml:5:13: app:dotdot: cannot read source file file://../outside.lua (APP/../outside.lua): it resolves to TMP/outside.lua, outside APP; a file:// source must be inside the application directory",
    );
    assert!(
        !out.contains("app:abs"),
        "an absolute file:// is read:\n{out}"
    );
    assert_has(
        &out,
        "APP/_index.yaml:11:13: app:link: cannot read source file file://lib/link.lua (APP/lib/link.lua): it resolves to TMP/outside.lua, outside APP",
    );
    assert!(
        !out.contains("app:inside"),
        "`..` that stays inside is fine:\n{out}"
    );
    assert_eq!(out.matches("cannot read source file").count(), 2, "{out}");
}

#[test]
fn wasm_path_is_confined_to_its_fs_directory() {
    let t = TempApp::new("wasm-path");
    t.write("modules/m.wasm", "\0asm");
    std::fs::write(t.app().join("secret.wasm"), "\0asm").unwrap();
    t.write(
        "_index.yaml",
        &format!(
            "namespace: app\nentries:\n  - name: fs\n    kind: fs.directory\n    base: module\n    directory: modules\n  - name: p\n    kind: process.wasm\n    fs: fs\n    path: ../secret.wasm\n    hash: sha256:{}\n",
            "0".repeat(64)
        ),
    );
    let out = problems(&t);
    assert_has(
        &out,
        "APP/_index.yaml:10:11: app:p: cannot read wasm file APP/modules/../secret.wasm (`path` in app:fs): it resolves to APP/secret.wasm, outside APP/modules",
    );
}

#[test]
fn symlink_to_proc_self_is_not_followed() {
    let t = TempApp::new("proc");
    t.write("_index.yaml", "namespace: app\nentries: []\n");
    symlink("/proc/self", t.app().join("self")).unwrap();
    let out = problems(&t);
    assert_has(&out, "APP/self:1:1: symbolic link to /proc/");
    assert_has(
        &out,
        "outside the application directory APP; not followed (links must stay inside it)",
    );
}

#[test]
fn symlink_loops_inside_the_app_end() {
    let t = TempApp::new("loop");
    t.write(
        "_index.yaml",
        "namespace: app\nentries:\n  - name: w\n    kind: process.lua\n    source: file://a/w.lua\n",
    );
    t.write("a/w.lua", "return function() end");
    symlink(".", t.app().join("here")).unwrap();
    symlink("..", t.app().join("a/up")).unwrap();
    symlink("../b", t.app().join("a/b")).unwrap();
    symlink("../a", t.app().join("b")).unwrap();
    // A symlinked directory inside the app is followed: its definitions are found once.
    t.write(
        "real/_index.yaml",
        "namespace: other\nentries:\n  - name: data\n    kind: registry.entry\n",
    );
    symlink("real", t.app().join("alias")).unwrap();
    let r = check(&t.app());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("ok: 2 entries"), "{}", r.stdout);
}

#[test]
fn check_of_the_root_directory_terminates() {
    let r = check(Path::new("/"));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("problem"), "{}", r.stderr);
}

#[test]
fn test_timeout_argument_is_validated() {
    let dir = format!("{}/tests/app", env!("CARGO_MANIFEST_DIR"));
    for (arg, expected) in [
        ("0s", "the timeout must be longer than zero"),
        ("400days", "the timeout must be at most 365 days"),
        ("soon", "expected a duration such as 30s or 2m"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
            .args(["test", &dir, "--timeout", arg])
            .stdin(Stdio::null())
            .output()
            .expect("run troupe");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--timeout {arg}: {err}");
        assert!(err.contains(expected), "--timeout {arg}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
