//! One writer per lesson's progress: an `flock` on `<progress file>.lock`.
//!
//! Two windows on one lesson used to overwrite each other's progress (whole-file, last writer
//! wins). Merging by cell would still lose the step and edits of one of them, so the first
//! instance owns the file and every later one runs read-only: it shows the saved progress and
//! says, once, that nothing it does is saved. The kernel drops the lock when its holder exits
//! however it ends (even SIGKILL), so a stale lock cannot exist.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use crate::text::Notice;

/// The outcome of asking for the lock.
#[derive(Debug)]
pub enum Lock {
    /// Ours until dropped: this instance saves progress.
    Held(Flock<File>),
    /// Another instance holds it (its pid, as it wrote it): do not save.
    Busy { pid: Option<u32>, lock: PathBuf },
    /// No lock file can be made (read-only state dir, ...): saving will fail and say so.
    Unavailable(std::io::Error),
}

pub fn lock_file(progress: &Path) -> PathBuf {
    let mut name = progress.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Tries to become the one writer of `progress` (never blocks).
pub fn lock(progress: &Path) -> Lock {
    let path = lock_file(progress);
    let file = match open(&path) {
        Ok(f) => f,
        Err(e) => return Lock::Unavailable(e),
    };
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(mut held) => {
            // Best effort: only the message of a later instance reads it.
            let _ = held.set_len(0);
            let _ = held.rewind();
            let _ = write!(held, "{}", std::process::id());
            Lock::Held(held)
        }
        Err((mut file, nix::errno::Errno::EWOULDBLOCK)) => {
            let mut text = String::new();
            let _ = Read::by_ref(&mut file).take(32).read_to_string(&mut text);
            Lock::Busy {
                pid: text.trim().parse().ok(),
                lock: path,
            }
        }
        Err((_, errno)) => Lock::Unavailable(errno.into()),
    }
}

/// Opens (or creates) the lock file: a regular file only, never through a link (the same
/// rules as the progress file itself).
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    Ok(file)
}

impl Lock {
    /// What the learner is told when this instance may not save.
    pub fn notice(&self) -> Option<Notice> {
        match self {
            Lock::Held(_) | Lock::Unavailable(_) => None,
            Lock::Busy { pid, lock } => Some(Notice::ReadOnly {
                pid: *pid,
                lock: lock.display().to_string(),
            }),
        }
    }

    pub fn may_save(&self) -> bool {
        !matches!(self, Lock::Busy { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_lock_is_busy_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("sub/lesson.json");
        let first = lock(&file);
        assert!(matches!(first, Lock::Held(_)), "{first:?}");
        let second = lock(&file);
        match &second {
            Lock::Busy { pid, .. } => assert_eq!(*pid, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        assert!(!second.may_save());
        assert!(matches!(second.notice(), Some(Notice::ReadOnly { .. })));
        drop(first);
        assert!(matches!(lock(&file), Lock::Held(_)));
    }

    #[test]
    fn a_link_or_a_fifo_is_no_lock_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("l.json");
        std::os::unix::fs::symlink("/dev/zero", lock_file(&file)).expect("symlink");
        assert!(matches!(lock(&file), Lock::Unavailable(_)));
        let fifo = dir.path().join("f.json");
        nix::unistd::mkfifo(&lock_file(&fifo), nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
        assert!(matches!(lock(&fifo), Lock::Unavailable(_)));
    }
}
