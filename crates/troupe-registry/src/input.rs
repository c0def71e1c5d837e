//! Bounded reading of user files (SPEC §3.6 "Bad input"): registry files, `file://` sources
//! and wasm binaries are regular files of at most [`MAX_FILE_BYTES`], checked before they are
//! opened (a FIFO, device, socket or directory is refused without blocking), opened
//! non-blocking, and read through a cap so a file that grows or lies about its size (`/proc`)
//! cannot exhaust memory. [`confine`] keeps a path inside a directory after resolving `..`
//! and symlinks.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest registry file, source or wasm binary read (64 MiB, SPEC §3.6).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Most bytes one application may inline through `file://` values (sources included) in
/// one load: 256 MiB, so a thousand entries naming the same 64 MiB file are refused rather
/// than held 64 GiB at once.
pub const MAX_INLINED_BYTES: u64 = 256 << 20;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Not a regular file; `what` names it ("a FIFO", "a character device", …).
    NotRegular { path: PathBuf, what: &'static str },
    /// Larger than [`MAX_FILE_BYTES`]; `size` is what was seen (at least the cap + 1).
    TooLarge { path: PathBuf, size: u64 },
    /// Resolves (after `..` and symlinks) to `resolved`, outside `root`.
    Outside {
        path: PathBuf,
        resolved: PathBuf,
        root: PathBuf,
    },
    /// Not UTF-8 text (only for text reads).
    NotUtf8 { path: PathBuf },
    /// Reading it would take the application's `file://` values past
    /// [`MAX_INLINED_BYTES`] in total; `total` is what they would come to.
    OverBudget { path: PathBuf, total: u64 },
    /// The operating system's error (missing file, permission, …).
    Io { path: PathBuf, error: String },
}

impl InputError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            InputError::NotRegular { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::Outside { path, .. }
            | InputError::NotUtf8 { path }
            | InputError::OverBudget { path, .. }
            | InputError::Io { path, .. } => path,
        }
    }

    /// What is wrong, without the path (for messages that name the file themselves).
    pub fn detail(&self) -> String {
        match self {
            InputError::NotRegular { what, .. } => {
                format!("it is {what}, not a regular file; expected a regular file")
            }
            InputError::TooLarge { size, .. } => format!(
                "it is too large ({size} bytes or more); expected at most {MAX_FILE_BYTES} bytes (64 MiB)"
            ),
            InputError::Outside {
                path,
                resolved,
                root,
            } if path == resolved => format!("it is outside {}", root.display()),
            InputError::Outside { resolved, root, .. } => format!(
                "it resolves to {}, outside {}",
                resolved.display(),
                root.display()
            ),
            InputError::NotUtf8 { .. } => "it is not UTF-8 text".into(),
            InputError::OverBudget { total, .. } => format!(
                "the application's file:// values would come to {total} bytes; expected at most {MAX_INLINED_BYTES} bytes (256 MiB) in total"
            ),
            InputError::Io { error, .. } => error.clone(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path().display(), self.detail())
    }
}

impl std::error::Error for InputError {}

/// What a non-regular file is, for messages.
pub(crate) fn file_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// Read the regular file at `path` (symlinks followed), at most [`MAX_FILE_BYTES`].
///
/// Errors: [`InputError::NotRegular`] before anything is opened, [`InputError::TooLarge`],
/// [`InputError::Io`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    let io = |e: std::io::Error| InputError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    let regular = |meta: &std::fs::Metadata| -> Result<(), InputError> {
        if meta.is_file() {
            Ok(())
        } else {
            Err(InputError::NotRegular {
                path: path.to_path_buf(),
                what: file_kind(&meta.file_type()),
            })
        }
    };
    let too_large = |size: u64| InputError::TooLarge {
        path: path.to_path_buf(),
        size,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    regular(&meta)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Never block in open(2) if the path was swapped for a FIFO since the check above.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    regular(&file.metadata().map_err(io)?)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text ([`InputError::NotUtf8`] otherwise).
pub fn read_text(path: &Path) -> Result<String, InputError> {
    String::from_utf8(read_bytes(path)?).map_err(|_| InputError::NotUtf8 {
        path: path.to_path_buf(),
    })
}

/// `path` resolved (`..` and every symlink), if it lies inside `root` (itself canonical).
///
/// Errors: [`InputError::Outside`], or [`InputError::Io`] when the path does not exist.
pub fn confine(root: &Path, path: &Path) -> Result<PathBuf, InputError> {
    let resolved = path.canonicalize().map_err(|e| InputError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(InputError::Outside {
            path: path.to_path_buf(),
            resolved,
            root: root.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused() {
        let e = read_bytes(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: it is a character device, not a regular file; expected a regular file"
        );
        let e = read_bytes(Path::new("/")).unwrap_err();
        assert!(matches!(
            e,
            InputError::NotRegular {
                what: "a directory",
                ..
            }
        ));
    }

    #[test]
    fn proc_files_are_capped_not_trusted() {
        // Reports size 0 but has content: read through the cap.
        let text = read_text(Path::new("/proc/self/status")).unwrap();
        assert!(text.contains("Name:"));
    }
}
