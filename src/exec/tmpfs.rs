//! Where small, hot scratch files go: on tmpfs when there is one (`$XDG_RUNTIME_DIR`,
//! `/dev/shm`), where rewriting a file costs a copy in memory rather than a journal write or a
//! `discard` on a disk.

use std::path::PathBuf;

/// Directories to try in order; the caller falls back to the temp dir.
pub fn candidates() -> impl Iterator<Item = PathBuf> {
    [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
        Some(std::env::temp_dir()),
    ]
    .into_iter()
    .flatten()
}
