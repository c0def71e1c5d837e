//! `cargo xtask guests [--check]`: see the library docs.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    match args.first().map(String::as_str) {
        Some("guests") => {
            let mode = if args.iter().any(|a| a == "--check") {
                xtask::Mode::Check
            } else {
                xtask::Mode::Update
            };
            match xtask::guests(root, mode) {
                Ok(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("xtask: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!(
                "usage: cargo xtask guests [--check]\n  build the wasm guests for wasm32-wasip2 and update their hashes"
            );
            ExitCode::FAILURE
        }
    }
}
