//! A WASI process's stdout/stderr (SPEC §6.3): one log line per line written, labelled
//! with the entry, the PID and the stream, or the terminal under `troupe run -x`.

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

/// Output to the log (or the terminal): cheap to clone, each `async_stream` buffers its
/// own partial line.
#[derive(Clone)]
pub struct LogOutput {
    entry: Arc<str>,
    pid: Arc<str>,
    stream: Stream,
    terminal: bool,
    last: LastLine,
}

impl LogOutput {
    /// Output of `stream` for process `pid` running `entry`; lines also go to `last`.
    pub fn new(
        entry: Arc<str>,
        pid: Arc<str>,
        stream: Stream,
        terminal: bool,
        last: LastLine,
    ) -> LogOutput {
        LogOutput {
            entry,
            pid,
            stream,
            terminal,
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
        let (entry, pid) = (&*self.out.entry, &*self.out.pid);
        match (self.out.terminal, self.out.stream) {
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
