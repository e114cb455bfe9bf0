//! Where things are found: programs on a PATH, and kubetutor's own state directory.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The first executable file named `program` in the directories of `path` (a PATH value).
pub fn find_on(path: &OsStr, program: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `program` on this process's PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    find_on(&std::env::var_os("PATH")?, Path::new(program))
}

/// `$XDG_STATE_HOME/kubetutor` (or the platform's local data dir): logs, progress.
pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kubetutor")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}
