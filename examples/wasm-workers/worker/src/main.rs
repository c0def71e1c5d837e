//! A long-running wasm worker (examples/wasm-workers): registers under the name it is
//! given, then serves jobs by message until cancelled.
//!
//! - `list` → replies `files` with the names under `/corpus` (the mounted `fs.directory`);
//! - `job {id, file}` → reads `/corpus/<file>`, counts lines and words, finds the most
//!   frequent words and the SHA-256 of the bytes, replies `result {...}`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use troupe_guest::{self as t, Event, Received};

const CORPUS: &str = "/corpus";

#[derive(Deserialize)]
struct Job {
    id: i64,
    file: String,
}

#[derive(Serialize)]
struct Report {
    id: i64,
    file: String,
    worker: String,
    lines: usize,
    words: usize,
    sha256: String,
    top: Vec<(String, usize)>,
}

#[derive(Serialize)]
struct Failure {
    id: i64,
    file: String,
    error: String,
}

fn count(job: &Job, worker: &str) -> Result<Report, String> {
    if job.file.contains('/') || job.file.starts_with('.') {
        return Err(format!("refusing path {:?}", job.file));
    }
    let bytes = std::fs::read(format!("{CORPUS}/{}", job.file)).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    let mut freq: HashMap<String, usize> = HashMap::new();
    let mut words = 0;
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        *freq.entry(w.to_lowercase()).or_default() += 1;
    }
    let mut top: Vec<(String, usize)> = freq.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(3);
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Report {
        id: job.id,
        file: job.file.clone(),
        worker: worker.to_string(),
        lines: text.lines().count(),
        words,
        sha256,
        top,
    })
}

fn list() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(CORPUS)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn main() {
    let name: String = match t::args::<(String,)>() {
        Ok((n,)) => n,
        Err(e) => {
            t::log::error(&format!("a worker needs its name as argument: {e}"));
            std::process::exit(2);
        }
    };
    if let Err(e) = t::register(&name) {
        t::log::error(&format!("cannot register {name}: {e}"));
        std::process::exit(1);
    }
    t::log::info(&format!("{name} ready"));
    loop {
        match t::receive() {
            Received::Message(m) if m.topic == "list" => {
                let _ = m.reply("files", &list());
            }
            Received::Message(m) if m.topic == "job" => match m.decode::<Job>() {
                Ok(job) => {
                    let _ = match count(&job, &name) {
                        Ok(r) => m.reply("result", &r),
                        Err(error) => m.reply(
                            "failed",
                            &Failure {
                                id: job.id,
                                file: job.file,
                                error,
                            },
                        ),
                    };
                }
                Err(e) => t::log::warn(&format!("bad job: {e}")),
            },
            Received::Event(Event::Cancel { .. }) => return,
            _ => {}
        }
    }
}
