//! The `troupe` command line (SPEC §8): `run`, `run -x`, `check`, `tree`.

use std::path::PathBuf;
use std::process::ExitCode;

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
        /// Arguments passed to the entry's main (as strings).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Validate the application and print every problem.
    Check {
        #[arg(default_value = ".")]
        dir: PathBuf,
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
        Command::Check { dir } => check(&dir),
        Command::Tree { dir } => tree(&dir),
        Command::Run { dir, exec, args } => run(&dir, exec, args, cli.log_level, cli.log_format),
    }
}

fn check(dir: &std::path::Path) -> ExitCode {
    match troupe::load(dir) {
        Ok(reg) => {
            println!("ok: {} entries in {}", reg.entries.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(d) => report_problems(&d, ""),
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

fn run(
    dir: &std::path::Path,
    exec: Option<String>,
    args: Vec<String>,
    level: Option<String>,
    format: LogFormat,
) -> ExitCode {
    let registry = match troupe::load(dir) {
        Ok(r) => r,
        Err(d) => return report_problems(&d, "troupe: refusing to boot: "),
    };
    let level = level.or_else(|| registry.node.log_level.clone());
    init_logging(level.as_deref(), format);
    let app = match App::boot(registry) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("troupe: refusing to boot: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(entry), Some(wasm)) = (&exec, &app.wasm) {
        wasm.set_terminal(Some(entry));
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("troupe: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
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
                        ExitCode::FAILURE
                    }
                    why = services.failed() => {
                        eprintln!("troupe: {why}");
                        ExitCode::FAILURE
                    }
                }
            }
            None => {
                tracing::info!(dir = %dir.display(), units = app.auto_start_units().len(), "node running; send SIGINT or SIGTERM to stop");
                tokio::select! {
                    _ = shutdown_signal() => {
                        tracing::info!("signal received; stopping services in reverse order");
                        ExitCode::SUCCESS
                    }
                    why = services.failed() => {
                        tracing::error!(reason = %why, "node stopping after a permanent failure");
                        eprintln!("troupe: {why}");
                        ExitCode::FAILURE
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
