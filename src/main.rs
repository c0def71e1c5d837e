//! The `troupe` command line (SPEC §8): `run`, `run -x`, `check`, `test`, `tree`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use troupe::{App, BootError};
use troupe_kernel::Value;

#[derive(Parser)]
#[command(
    name = "troupe",
    version,
    about = "An Erlang-style process runtime for Lua and WebAssembly actors"
)]
struct Cli {
    /// Log level (error, warn, info, debug, trace); `RUST_LOG` overrides it.
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// `troupe run`'s cluster flags (SPEC §10); each overrides `troupe.yaml`'s `cluster:`.
#[derive(clap::Args, Default)]
struct ClusterArgs {
    /// Join a cluster as this node name (the node part of every PID).
    #[arg(long, value_name = "NAME")]
    node: Option<String>,
    /// Accept other nodes on this address.
    #[arg(long, value_name = "HOST:PORT")]
    listen: Option<String>,
    /// Connect to the node at this address (repeatable; connections are transitive).
    #[arg(long = "join", value_name = "HOST:PORT")]
    join: Vec<String>,
}

impl ClusterArgs {
    fn any(&self) -> bool {
        self.node.is_some() || self.listen.is_some() || !self.join.is_empty()
    }

    /// Apply the flags to the loaded registry's node settings.
    ///
    /// Errors: a node name or an address that is not valid, as text for the user.
    fn apply(self, node: &mut troupe::registry::NodeConfig) -> Result<(), String> {
        if !self.any() {
            return Ok(());
        }
        let cluster = node.cluster.get_or_insert_with(Default::default);
        if let Some(name) = self.node {
            if !troupe::registry::valid_node_name(&name) {
                return Err(format!(
                    "--node {name:?} is not a valid node name; expected no spaces or any of @ | {{ }} :"
                ));
            }
            node.name = name;
        }
        if let Some(listen) = self.listen {
            if !troupe::registry::valid_address(&listen) {
                return Err(format!(
                    "--listen {listen:?} is not an address; expected HOST:PORT"
                ));
            }
            cluster.listen = listen;
        }
        for peer in self.join {
            if !troupe::registry::valid_address(&peer) {
                return Err(format!(
                    "--join {peer:?} is not an address; expected HOST:PORT"
                ));
            }
            cluster.peers.push(peer);
        }
        Ok(())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Validate, boot and run the application until SIGINT/SIGTERM (or run one entry with -x).
    Run {
        /// Application directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Run this process or function as a command, print its result and exit.
        #[arg(short = 'x', long = "exec", value_name = "NS:ENTRY")]
        exec: Option<String>,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Arguments passed to the entry's main (as strings).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Validate the application and print every problem and warning.
    Check {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Count warnings (what Wippy accepts and Troupe ignores) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Run every entry whose `meta.type` is `test` (by `meta.suite`, then `meta.order`);
    /// exit 1 if any fails.
    Test {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Run only tests whose ID contains PAT (or matches it, with `*` wildcards); may be
        /// given several times, a test runs when any matches.
        #[arg(long, short = 'f', value_name = "PAT")]
        filter: Vec<String>,
        /// Tests run at once (default: 4 per core).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Time limit per test, e.g. `30s`, `2m`.
        #[arg(long, default_value = "60s", value_parser = test_timeout)]
        timeout: std::time::Duration,
    },
    /// Print the declared supervision tree and the top-level services.
    Tree {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

fn init_logging(level: Option<&str>, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.is_empty() => EnvFilter::new(v),
        _ => EnvFilter::new(level.unwrap_or("info")),
    };
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { dir, strict } => check(&dir, strict),
        Command::Tree { dir } => tree(&dir),
        Command::Run {
            dir,
            exec,
            cluster,
            args,
        } => run(&dir, exec, args, cluster, cli.log_level, cli.log_format),
        Command::Test {
            dir,
            filter,
            jobs,
            timeout,
        } => test(&dir, &filter, jobs, timeout, cli.log_level, cli.log_format),
    }
}

/// `troupe check [--strict]`: every error, then every warning (WIPPY-API.md §12: accepted
/// for Wippy compatibility, ignored by Troupe), on stderr; exit 1 on an error, or on a
/// warning under `--strict`.
fn check(dir: &std::path::Path, strict: bool) -> ExitCode {
    let report = troupe::load_all(dir);
    let mut all: Vec<(bool, &troupe::registry::Diagnostic)> = report
        .errors
        .iter()
        .map(|d| (false, d))
        .chain(report.warnings.iter().map(|d| (true, d)))
        .collect();
    all.sort_by(|a, b| a.1.cmp(b.1));
    for (warning, d) in &all {
        if *warning {
            eprintln!("{}", warning_line(d, strict));
        } else {
            eprintln!("{d}");
        }
    }
    let (errors, warnings) = (report.errors.len(), report.warnings.len());
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if errors > 0 || (strict && warnings > 0) {
        let problems = if strict { errors + warnings } else { errors };
        let also = if !strict && warnings > 0 {
            format!(" and {}", plural(warnings, "warning"))
        } else {
            String::new()
        };
        eprintln!("{} found{also}", plural(problems, "problem"));
        return ExitCode::FAILURE;
    }
    let also = if warnings > 0 {
        format!(" ({})", plural(warnings, "warning"))
    } else {
        String::new()
    };
    println!(
        "ok: {} entries in {}{also}",
        report.registry.entries.len(),
        dir.display()
    );
    ExitCode::SUCCESS
}

/// A warning as `troupe check` prints it: `file:line:col: entry: warning: message`
/// (`error (--strict)` instead of `warning` under `--strict`).
fn warning_line(d: &troupe::registry::Diagnostic, strict: bool) -> String {
    let tag = if strict {
        "error (--strict)"
    } else {
        "warning"
    };
    match &d.entry {
        Some(id) => format!("{}: {id}: {tag}: {}", d.location, d.message),
        None => format!("{}: {tag}: {}", d.location, d.message),
    }
}

fn tree(dir: &std::path::Path) -> ExitCode {
    match troupe::load(dir) {
        Ok(reg) => {
            print!("{}", troupe::tree::render(&reg));
            ExitCode::SUCCESS
        }
        Err(d) => report_problems(&d, ""),
    }
}

/// Print every validation problem and a count line; exit 1.
fn report_problems(d: &troupe::registry::Diagnostics, prefix: &str) -> ExitCode {
    for p in &d.0 {
        eprintln!("{p}");
    }
    eprintln!(
        "{prefix}{} problem{} found",
        d.0.len(),
        if d.0.len() == 1 { "" } else { "s" }
    );
    ExitCode::FAILURE
}

/// Load, set up logging, boot and make the driving runtime: what `run` and `test` share.
/// `Err` is the exit code after the problem was printed.
fn boot(
    dir: &std::path::Path,
    cluster: ClusterArgs,
    level: Option<String>,
    format: LogFormat,
) -> Result<(App, tokio::runtime::Runtime), ExitCode> {
    let mut registry = match troupe::load(dir) {
        Ok(r) => r,
        Err(d) => return Err(report_problems(&d, "troupe: refusing to boot: ")),
    };
    if let Err(e) = cluster.apply(&mut registry.node) {
        eprintln!("troupe: refusing to boot: {e}");
        return Err(ExitCode::FAILURE);
    }
    let level = level.or_else(|| registry.node.log_level.clone());
    init_logging(level.as_deref(), format);
    let app = match App::boot(registry) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("troupe: refusing to boot: {e}");
            return Err(ExitCode::FAILURE);
        }
    };
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Ok((app, rt)),
        Err(e) => {
            eprintln!("troupe: cannot start the runtime: {e}");
            app.shutdown();
            Err(ExitCode::FAILURE)
        }
    }
}

fn test(
    dir: &std::path::Path,
    filters: &[String],
    jobs: Option<usize>,
    timeout: std::time::Duration,
    level: Option<String>,
    format: LogFormat,
) -> ExitCode {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    let (app, rt) = match boot(dir, ClusterArgs::default(), level, format) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let suites = troupe::testing::discover(app.node.registry(), filters);
    let total: usize = suites.iter().map(|s| s.tests.len()).sum();
    // Suite headers only when the application names suites.
    let headers = suites.iter().any(|s| s.name != troupe::testing::NO_SUITE);
    let jobs = jobs.unwrap_or_else(|| {
        4 * std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let bar = ProgressBar::with_draw_target(
        Some(total as u64),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} tests  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let outcomes = rt.block_on(async {
        let services = app.start_services();
        let all = async {
            let mut all = Vec::with_capacity(total);
            for suite in &suites {
                if headers {
                    let how = if suite.ordered { ", in order" } else { "" };
                    bar.suspend(|| {
                        println!(
                            "suite {} ({} test{}{how})",
                            suite.name,
                            suite.tests.len(),
                            if suite.tests.len() == 1 { "" } else { "s" }
                        )
                    });
                }
                let outcomes = troupe::testing::run(&app, suite, jobs, timeout, |o| {
                    let ms = o.elapsed.as_secs_f64() * 1000.0;
                    match &o.failure {
                        None => bar.suspend(|| println!("PASS  {} ({ms:.1} ms)", o.id)),
                        Some(why) => bar.suspend(|| println!("FAIL  {} ({ms:.1} ms): {why}", o.id)),
                    }
                    bar.set_message(o.id.clone());
                    bar.inc(1);
                })
                .await;
                all.extend(outcomes);
            }
            all
        };
        let outcomes = tokio::select! {
            o = all => Some(o),
            why = services.failed() => {
                eprintln!("troupe: {why}");
                None
            }
            code = app.node.exit_requested() => {
                eprintln!("troupe: a test called system.exit({code}); the test run stops");
                None
            }
        };
        services.stop().await;
        outcomes
    });
    bar.finish_and_clear();
    app.shutdown();
    let Some(outcomes) = outcomes else {
        return ExitCode::FAILURE;
    };
    let failed: Vec<_> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    if !failed.is_empty() {
        println!("\nfailures:");
        for o in &failed {
            println!("  {}: {}", o.id, o.failure.as_deref().unwrap_or(""));
        }
    }
    if total == 0 {
        let matching = if filters.is_empty() {
            String::new()
        } else {
            format!(" whose ID matches {}", filters.join(" or "))
        };
        eprintln!(
            "troupe: no tests found in {} (a test is an entry with meta.type: test{matching})",
            dir.display(),
        );
    }
    println!(
        "{} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() && total > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run(
    dir: &std::path::Path,
    exec: Option<String>,
    args: Vec<String>,
    cluster: ClusterArgs,
    level: Option<String>,
    format: LogFormat,
) -> ExitCode {
    let (app, rt) = match boot(dir, cluster, level, format) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // SPEC §10: join the cluster before any service starts, so a service's first send
    // to another node finds the transport installed (it fails with `noconnection` until
    // that node is up).
    let _cluster = match app.node.registry().node.cluster.clone() {
        Some(config) => {
            match troupe_cluster::cookie(&config)
                .and_then(|c| troupe_cluster::Cluster::start(&app.node, &config, c))
            {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("troupe: refusing to boot: {e}");
                    app.shutdown();
                    return ExitCode::FAILURE;
                }
            }
        }
        None => None,
    };
    if let (Some(entry), Some(wasm)) = (&exec, &app.wasm) {
        wasm.set_terminal(Some(entry));
    }
    let code = rt.block_on(async {
        let services = app.start_services();
        let code = match exec {
            Some(entry) => {
                let args = args.into_iter().map(Value::str).collect();
                tokio::select! {
                    r = app.exec(&entry, args) => match r {
                        Ok(Ok(v)) => {
                            if v != Value::Nil {
                                println!("{}", v.display());
                            }
                            ExitCode::SUCCESS
                        }
                        Ok(Err(e)) => {
                            eprintln!("troupe: {entry} failed: {e}");
                            ExitCode::FAILURE
                        }
                        Err(BootError::Spawn(e)) => {
                            eprintln!("troupe: cannot run {entry}: {e}");
                            ExitCode::FAILURE
                        }
                        Err(e) => {
                            eprintln!("troupe: {e}");
                            ExitCode::FAILURE
                        }
                    },
                    _ = shutdown_signal() => {
                        tracing::info!("signal received; stopping");
                        arm_watchdog(stop_grace(&app));
                        ExitCode::FAILURE
                    }
                    why = services.failed() => {
                        eprintln!("troupe: {why}");
                        ExitCode::FAILURE
                    }
                    code = app.node.exit_requested() => {
                        tracing::info!(code, "system.exit called; stopping services in reverse order");
                        arm_watchdog(stop_grace(&app));
                        ExitCode::from(code)
                    }
                }
            }
            None => {
                tracing::info!(dir = %dir.display(), units = app.auto_start_units().len(), "node running; send SIGINT or SIGTERM to stop");
                tokio::select! {
                    _ = shutdown_signal() => {
                        tracing::info!("signal received; stopping services in reverse order");
                        arm_watchdog(stop_grace(&app));
                        ExitCode::SUCCESS
                    }
                    why = services.failed() => {
                        tracing::error!(reason = %why, "node stopping after a permanent failure");
                        eprintln!("troupe: {why}");
                        ExitCode::FAILURE
                    }
                    code = app.node.exit_requested() => {
                        tracing::info!(code, "system.exit called; stopping services in reverse order");
                        arm_watchdog(stop_grace(&app));
                        ExitCode::from(code)
                    }
                }
            }
        };
        services.stop().await;
        code
    });
    app.shutdown();
    code
}

/// How long a graceful stop may take before the node exits anyway: every service's
/// `stop_timeout` one after another (a supervisor stops its children one at a time;
/// `infinity` and `brutal_kill` count as nothing, their children are counted themselves),
/// plus 5 s for the hosts to wind down.
fn stop_grace(app: &App) -> Duration {
    let services: Duration = app
        .node
        .registry()
        .entries
        .values()
        .filter_map(|e| match &e.kind {
            troupe::registry::Kind::ProcessService(s) => match s.lifecycle.shutdown(false) {
                troupe::registry::Shutdown::After(d) => Some(d),
                _ => None,
            },
            _ => None,
        })
        .fold(Duration::ZERO, Duration::saturating_add);
    services.saturating_add(Duration::from_secs(5))
}

/// After the first SIGINT/SIGTERM (SPEC §3.6: a node that cannot stop its processes
/// gracefully still exits): a second signal exits at once with status 130, and a node that
/// has not stopped within `grace` exits with status 1, logging that it gave up.
fn arm_watchdog(grace: Duration) {
    let spawned = std::thread::Builder::new()
        .name("troupe-watchdog".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the shutdown watchdog");
                    return;
                }
            };
            rt.block_on(async {
                tokio::select! {
                    _ = shutdown_signal() => {
                        eprintln!("troupe: second signal; exiting now");
                        std::process::exit(130);
                    }
                    _ = tokio::time::sleep(grace) => {
                        tracing::error!(grace = %humantime::format_duration(grace), "the node did not stop in time; exiting anyway");
                        eprintln!("troupe: the node did not stop within {}; exiting", humantime::format_duration(grace));
                        std::process::exit(1);
                    }
                }
            });
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the shutdown watchdog");
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `troupe test --timeout`: a humantime duration above zero and at most 365 days.
fn test_timeout(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e} (expected a duration such as 30s or 2m)"))?;
    if d.is_zero() {
        return Err("the timeout must be longer than zero".into());
    }
    if d > std::time::Duration::from_secs(365 * 24 * 3600) {
        return Err("the timeout must be at most 365 days".into());
    }
    Ok(d)
}
