//! Registry leniency at boot (WIPPY-API.md §12): an application with entries of kinds Troupe
//! does not implement boots, logging a warning per kind and per reference to such an entry;
//! each unit that uses one fails when it starts, with an error naming the entry and its kind
//! (as a process, as a host, as a supervisor child). `fs.directory` `auto_init` creates the
//! directory at boot with its `mode`. (From Lua: `tests/app/leniency`.)

mod common;

use common::cli::{Run, troupe};
use troupe::App;

/// `troupe run tests/apps/unimplemented/<case>`: the node boots (warnings logged), the
/// unit fails when it starts and the node stops with exit 1.
fn run_case(case: &str) -> Run {
    let dir = common::app_dir("unimplemented").join(case);
    let run = troupe(&["run", &dir.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let warned = run.log.iter().any(|r| {
        r["level"] == "WARN"
            && r["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("is not implemented by Troupe"))
    });
    assert!(
        warned,
        "the boot logs the unimplemented kind:\n{}",
        run.stderr
    );
    assert!(
        run.log
            .iter()
            .any(|r| r["fields"]["message"] == "node running; send SIGINT or SIGTERM to stop"),
        "the node booted:\n{}",
        run.stderr
    );
    run
}

/// The `error` of the first "service failed to start" record.
fn start_error(run: &Run) -> String {
    run.log
        .iter()
        .find(|r| r["fields"]["message"] == "service failed to start")
        .and_then(|r| r["fields"]["error"].as_str())
        .unwrap_or_else(|| panic!("no start failure logged:\n{}", run.stderr))
        .to_string()
}

#[test]
fn a_service_whose_process_is_unimplemented_fails_naming_it() {
    let run = run_case("process");
    assert_eq!(
        start_error(&run),
        "entry u.process:handler has kind http.endpoint, which Troupe does not implement; it cannot be used as a process"
    );
}

#[test]
fn a_service_whose_host_is_unimplemented_fails_naming_it() {
    let run = run_case("host");
    assert_eq!(
        start_error(&run),
        "entry u.host:api has kind http.service, which Troupe does not implement; it cannot be used as a host"
    );
}

#[test]
fn a_supervisor_with_an_unimplemented_child_fails_naming_it() {
    let run = run_case("child");
    assert!(
        run.stderr.contains(
            "troupe: supervisor u.child:tree: top-level supervisor failed: child u.child:api has kind http.service, which Troupe does not implement"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn auto_init_creates_the_directory_with_its_mode_at_boot() {
    let root = std::env::temp_dir().join(format!("troupe-auto-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("_index.yaml"),
        "namespace: app\nentries:\n  - name: data\n    kind: fs.directory\n    base: module\n    directory: made/here\n    mode: \"0700\"\n    auto_init: true\n  - name: plain\n    kind: fs.directory\n    base: module\n    directory: not/made\n",
    )
    .unwrap();
    let app = App::open(&root).expect("boots");
    app.shutdown();
    let made = root.join("made/here");
    assert!(made.is_dir(), "auto_init created {}", made.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&made).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700 & !umask(), "mode of {}", made.display());
    }
    assert!(
        !root.join("not").exists(),
        "without auto_init nothing is created"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// The process's umask (read without changing it for long).
#[cfg(unix)]
fn umask() -> u32 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        .unwrap_or(0o022)
}
