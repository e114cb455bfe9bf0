//! The last line of defence against orphans: a small bash process that outlives us. It waits
//! for its stdin, a pipe we hold and never write to, to close: that happens when we exit in
//! any way, SIGKILL included. Then it reads the list file we keep up to date (the process
//! groups we own, the session state directories) and kills and removes what is listed.
//!
//! The list lives in a small file on tmpfs rather than in messages down the pipe, so watching a
//! group costs one `pwrite` and never wakes the watchdog: a lesson of many short cells does not
//! pay a context switch per cell. A normal exit has cleaned up already; the watchdog then finds
//! no groups, removes the file and ends. It is started with the first process group, so a run
//! that starts no process does not pay for it.

use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;

const SCRIPT: &str = r#"read -r _
g=()
while IFS= read -r l; do
  case $l in
    d?*) [ -d "${l#d}" ] && rm -rf -- "${l#d}" ;;
    g?*) g+=("${l#g}") ;;
  esac
done < "$1"
rm -f -- "$1"
[ ${#g[@]} -eq 0 ] && exit 0
# Groups were listed, so cells ran: also what left its group (setsid, daemons), found by the
# mark every cell's environment carries.
for p in "${g[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
sleep 1
for p in "${g[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
for _ in 1 2 3; do
  for e in /proc/[0-9]*/environ; do
    grep -qzxF -- "$2" "$e" 2>/dev/null && { p=${e#/proc/}; kill -KILL "${p%/environ}" 2>/dev/null; }
  done
done
"#;

#[derive(Default)]
struct Listed {
    groups: BTreeSet<i32>,
    dirs: Vec<Vec<u8>>,
}

impl Listed {
    fn text(&self) -> Vec<u8> {
        let mut text = Vec::new();
        for dir in &self.dirs {
            text.push(b'd');
            text.extend_from_slice(dir);
            text.push(b'\n');
        }
        for pgid in &self.groups {
            text.extend_from_slice(format!("g{pgid}\n").as_bytes());
        }
        text
    }
}

struct Running {
    pid: u32,
    list: File,
    /// Held open, never written: its closing is the watchdog's signal.
    _life: ChildStdin,
    written: usize,
}

impl Running {
    /// Rewrites the list in place; a shorter list is padded with blank lines (skipped by the
    /// script) so one `pwrite` does it.
    fn write(&mut self, listed: &Listed) -> std::io::Result<()> {
        let mut text = listed.text();
        if text.len() < self.written {
            text.resize(self.written, b'\n');
        }
        self.list.write_all_at(&text, 0)?;
        self.written = text.len();
        Ok(())
    }
}

enum State {
    NotStarted,
    Running(Running),
    Unavailable,
}

struct Watchdog {
    state: State,
    listed: Listed,
}

static WATCHDOG: Mutex<Watchdog> = Mutex::new(Watchdog {
    state: State::NotStarted,
    listed: Listed {
        groups: BTreeSet::new(),
        dirs: Vec::new(),
    },
});

fn start() -> State {
    match try_start() {
        Ok(running) => State::Running(running),
        Err(e) => {
            tracing::warn!("no orphan watchdog: {e}");
            State::Unavailable
        }
    }
}

fn try_start() -> std::io::Result<Running> {
    let (list, path) = list_file()?;
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg("kubetutor-watchdog")
        .arg(&path)
        .arg(format!(
            "{}={}",
            super::proc::OWNER_ENV,
            super::proc::owner_mark()
        ))
        // Not our environment: TMOUT would end its wait for our exit, BASH_ENV run code.
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own group: a Ctrl-C meant for us must not take it down before it is needed.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let spawned = cmd.spawn().and_then(|mut child| {
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        Ok((child.id(), stdin))
    });
    match spawned {
        Ok((pid, life)) => Ok(Running {
            pid,
            list,
            _life: life,
            written: 0,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(std::io::Error::other(format!("cannot start bash: {e}")))
        }
    }
}

/// The list file, on tmpfs when there is one; the watchdog removes it when it ends.
fn list_file() -> std::io::Result<(File, PathBuf)> {
    super::tmpfs::create_in_first(|dir| {
        let file = tempfile::Builder::new()
            .prefix("kubetutor-watch-")
            .tempfile_in(dir)?;
        file.keep().map_err(|e| e.error)
    })
}

fn update(change: impl FnOnce(&mut Listed), start_now: bool) {
    let mut watchdog = WATCHDOG.lock().unwrap_or_else(|e| e.into_inner());
    let Watchdog { state, listed } = &mut *watchdog;
    change(listed);
    if matches!(state, State::NotStarted) && start_now {
        *state = start();
    }
    if let State::Running(running) = state
        && let Err(e) = running.write(listed)
    {
        tracing::warn!("orphan watchdog list not written: {e}");
        *state = State::Unavailable;
    }
}

/// The watchdog's pid, once it runs (it must outlive our own exit paths).
pub fn pid() -> Option<u32> {
    let watchdog = WATCHDOG.try_lock().ok()?;
    match &watchdog.state {
        State::Running(running) => Some(running.pid),
        _ => None,
    }
}

/// A group we now own.
pub fn watch(pgid: i32) {
    update(
        |l| {
            l.groups.insert(pgid);
        },
        true,
    );
}

/// A group that is gone (or that we killed ourselves).
pub fn forget(pgid: i32) {
    update(
        |l| {
            l.groups.remove(&pgid);
        },
        false,
    );
}

/// Groups we just killed on an exit path (a panic hook may run while the list is locked: then
/// the watchdog keeps them and signals groups that are already gone, which is harmless).
pub fn forget_if_free(pgids: &[i32]) {
    let Ok(mut watchdog) = WATCHDOG.try_lock() else {
        return;
    };
    let Watchdog { state, listed } = &mut *watchdog;
    listed.groups.retain(|g| !pgids.contains(g));
    if let State::Running(running) = state {
        let _ = running.write(listed);
    }
}

/// A session state directory that was removed: nothing to do for it any more.
pub fn forget_dir(dir: &Path) {
    let path = dir.as_os_str().as_bytes();
    update(|l| l.dirs.retain(|d| d != path), false);
}

/// A session state directory to remove if we die without removing it.
pub fn remove_at_exit(dir: &Path) {
    let path = dir.as_os_str().as_bytes();
    if path.contains(&b'\n') {
        return;
    }
    update(|l| l.dirs.push(path.to_vec()), false);
}
