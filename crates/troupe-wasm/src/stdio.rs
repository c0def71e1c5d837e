//! A WASI process's stdout/stderr (SPEC §6.3): one log line per line written, labelled
//! with the entry, the PID and the stream, or the terminal under `troupe run -x`. The PID
//! and the terminal choice live in a [`Label`] shared by a store's streams, so a pooled
//! function instance (SPEC §6.2) labels each call's output with that call's PID.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Which stream.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The last line a process wrote to stderr (a Rust panic message, say), kept to explain
/// a trap in the exit reason.
pub type LastLine = Arc<parking_lot::Mutex<Option<String>>>;

/// Who is writing: the PID lines are labelled with, and whether they go to the terminal
/// instead of the log. Shared (cheap clones) by the stdout and stderr of a store, in both
/// its WASI contexts; [`Label::set`] changes it for all of them at once, which a pooled
/// instance needs when it starts serving another call.
#[derive(Clone)]
pub struct Label(Arc<parking_lot::Mutex<(Arc<str>, bool)>>);

impl Label {
    /// Output of process `pid`, to the terminal when `terminal`.
    pub fn new(pid: Arc<str>, terminal: bool) -> Label {
        Label(Arc::new(parking_lot::Mutex::new((pid, terminal))))
    }

    /// From now on, label lines with `pid` and send them to the terminal when `terminal`.
    pub fn set(&self, pid: Arc<str>, terminal: bool) {
        *self.0.lock() = (pid, terminal);
    }

    /// The PID and the terminal choice.
    pub fn get(&self) -> (Arc<str>, bool) {
        self.0.lock().clone()
    }
}

/// Output to the log (or the terminal): cheap to clone, each `async_stream` buffers its
/// own partial line.
#[derive(Clone)]
pub struct LogOutput {
    entry: Arc<str>,
    label: Label,
    stream: Stream,
    last: LastLine,
}

impl LogOutput {
    /// Output of `stream` for the process `label` names, running `entry`; lines also go to
    /// `last`.
    pub fn new(entry: Arc<str>, label: Label, stream: Stream, last: LastLine) -> LogOutput {
        LogOutput {
            entry,
            label,
            stream,
            last,
        }
    }
}

impl IsTerminal for LogOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            out: self.clone(),
            buf: Vec::new(),
        })
    }
}

struct LineWriter {
    out: LogOutput,
    buf: Vec<u8>,
}

impl LineWriter {
    fn emit(&self, line: &[u8]) {
        use std::io::Write as _;
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches('\r');
        // Rust's panic hook ends with a hint about RUST_BACKTRACE: keep the message.
        if matches!(self.out.stream, Stream::Stderr)
            && !text.trim().is_empty()
            && !text.starts_with("note: ")
        {
            *self.out.last.lock() = Some(text.to_string());
        }
        let (pid, terminal) = self.out.label.get();
        let (entry, pid) = (&*self.out.entry, &*pid);
        match (terminal, self.out.stream) {
            (true, Stream::Stdout) => {
                let _ = writeln!(io::stdout().lock(), "{text}");
            }
            (true, Stream::Stderr) => {
                let _ = writeln!(io::stderr().lock(), "{text}");
            }
            (false, Stream::Stdout) => tracing::info!(entry, pid, stream = "stdout", "{text}"),
            (false, Stream::Stderr) => tracing::warn!(entry, pid, stream = "stderr", "{text}"),
        }
    }

    fn flush_lines(&mut self) {
        while let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=i).collect();
            self.emit(&line[..line.len() - 1]);
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.buf.extend_from_slice(data);
        self.flush_lines();
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let rest = std::mem::take(&mut self.buf);
            self.emit(&rest);
        }
    }
}
