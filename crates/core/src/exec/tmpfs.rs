//! Where small, hot scratch files go: on tmpfs when there is one (`$XDG_RUNTIME_DIR`,
//! `/dev/shm`), where rewriting a file costs a copy in memory rather than a journal write or a
//! `discard` on a disk; else the temp dir.

use std::path::{Path, PathBuf};

/// Makes something with `make` in the first directory where it works, trying tmpfs first;
/// the error is the last directory's.
pub fn create_in_first<T>(mut make: impl FnMut(&Path) -> std::io::Result<T>) -> std::io::Result<T> {
    let candidates = [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
        Some(std::env::temp_dir()),
    ];
    let mut last_error = std::io::Error::other("no temporary directory");
    for dir in candidates.into_iter().flatten() {
        match make(&dir) {
            Ok(made) => return Ok(made),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}
