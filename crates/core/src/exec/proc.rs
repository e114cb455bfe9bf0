//! Process groups we own. Every cell and background job is the leader of its own group, so one
//! signal reaches everything it started (pipelines, `&` children, `kubectl` sub-processes).
//! Live groups are also kept in a process-wide registry so that any exit path (Drop, a signal
//! handler, a panic hook) can kill them without access to the engine.
//!
//! A process can leave its group (`setsid`, `set -m`, `setpgrp`, a double-forking daemon such as
//! `redis-server --daemonize yes`), so groups alone do not find everything. Every cell's
//! environment therefore carries [`OWNER_ENV`], which such processes inherit whatever group or
//! session they move to; [`kill_all_now`] (every exit path of ours) and the orphan watchdog
//! (when we are SIGKILLed) sweep the process table for it. Some daemons overwrite their
//! environment (Redis's process title does), so we are also a child subreaper
//! ([`become_subreaper`]): a daemon whose parent exits is re-parented to us, and
//! [`kill_all_now`] kills every child we still have. What clears its environment *and*
//! daemonizes escapes only when we are SIGKILLed: the documented limit.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// The variable every cell's processes inherit: `<our pid>-<start time>`, unique to this run of
/// kubetutor even when pids are reused.
pub const OWNER_ENV: &str = "KUBETUTOR_OWNER";

/// Orphans of our cells are re-parented to us instead of init (see the module doc).
pub fn become_subreaper() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
            tracing::warn!(%e, "cannot become a child subreaper");
        }
    });
}

/// The variable that tells one spawned cell process (one attempt of a cell, one background
/// job) from every other: `<owner mark>-<n>`. A cell that is cancelled or times out takes
/// what it started along, whatever group or session that moved to, and nothing of another
/// cell's (background jobs and their daemons live on until they are stopped).
pub const RUN_ENV: &str = "KUBETUTOR_RUN";

/// A fresh [`RUN_ENV`] value.
pub fn next_run_mark() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{n}", owner_mark())
}

/// This process's [`OWNER_ENV`] value.
pub fn owner_mark() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{}-{nanos}", std::process::id())
    })
}

/// SIGKILLs every process (of any group or session) whose environment holds our mark, until
/// none is left (a dying parent's children may still appear for a moment). Ours is the only
/// process that can read another's environ without privileges: the same user's.
pub fn kill_marked() -> usize {
    sweep(false)
}

/// SIGKILLs, until none is left, every process that carries our mark and, with `children`,
/// every child we still have (re-parented daemons, through the subreaper) and its group; the
/// orphan watchdog is spared. One pass over /proc finds both; after the signals it waits only
/// until those processes are dead (they are, within microseconds), not a fixed time.
fn sweep(children: bool) -> usize {
    sweep_with(
        format!("{OWNER_ENV}={}", owner_mark()).into_bytes(),
        children,
    )
}

/// [`sweep`] for the processes whose environment holds `needle` (`NAME=value`).
fn sweep_with(needle: Vec<u8>, children: bool) -> usize {
    let me = std::process::id();
    let keep = super::watchdog::pid();
    let mut killed = 0;
    for _ in 0..20 {
        let found = owned_pids(&needle, me, keep, children);
        if found.is_empty() {
            break;
        }
        for &pid in &found {
            let pid = Pid::from_raw(pid as i32);
            if children {
                let _ = killpg(pid, Signal::SIGKILL);
            }
            let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
        }
        killed += found.len();
        wait_dead(&found, Duration::from_millis(5));
    }
    killed
}

/// The live (not zombie) processes other than `me` and `keep` that are our children (with
/// `children`) or whose environment holds `needle`.
fn owned_pids(needle: &[u8], me: u32, keep: Option<u32>, children: bool) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me && Some(pid) != keep)
        .filter(|&pid| {
            let Some((state, ppid)) = stat_of(pid) else {
                return false;
            };
            if state == 'Z' {
                return false;
            }
            if children && ppid == me {
                return true;
            }
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            environ.split(|&b| b == 0).any(|var| var == needle)
        })
        .collect()
}

/// State letter and parent pid from `/proc/PID/stat` (`pid (comm) S ppid ...`; comm may hold
/// anything, so the fields follow the last ')').
fn stat_of(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Waits (up to `limit`) until every one of `pids` is gone or a zombie.
fn wait_dead(pids: &[u32], limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    let alive = |pid: &u32| stat_of(*pid).is_some_and(|(state, _)| state != 'Z');
    while pids.iter().any(alive) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn live() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    // A poisoned registry is still the right set of pids: recover it rather than leak groups.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes `cmd` start a new process group. With `die_with_parent` the direct child also gets
/// PR_SET_PDEATHSIG, a last resort if we are SIGKILLed (its descendants are reached only
/// through the group). That needs a `pre_exec` hook, which makes std fork instead of
/// posix_spawn, about 1 ms more per spawn: background jobs (long-lived, the likeliest orphans)
/// pay it; foreground cells do not (if we die, their pipes close and their next write ends them).
pub fn own_group(cmd: &mut tokio::process::Command, die_with_parent: bool) {
    cmd.process_group(0);
    if !die_with_parent {
        return;
    }
    let parent = Pid::this();
    // SAFETY: the closure only calls async-signal-safe prctl/getppid between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
            // The parent may have died before prctl: then nobody would ever signal us.
            if nix::unistd::getppid() != parent {
                return Err(std::io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
}

/// A registered process group. Dropping it kills whatever is left of the group.
#[derive(Debug)]
pub struct Group {
    pgid: i32,
    /// The [`RUN_ENV`] value its leader was started with.
    run: String,
}

impl Group {
    /// Registers the group led by `pid` (a child started with [`own_group`] and `run` as its
    /// [`RUN_ENV`]).
    pub fn register(pid: u32, run: String) -> Self {
        let pgid = pid as i32;
        live().insert(pgid);
        super::watchdog::watch(pgid);
        Self { pgid, run }
    }

    /// Kills whatever this run started outside its group (`setsid`, `set -m`, daemons), by
    /// its [`RUN_ENV`] mark: for a cell that was cancelled or timed out. Not part of
    /// [`Group::stop`]: a re-parented zombie can keep the group "alive" for the whole grace,
    /// and the caller may stop waiting for the group before that.
    pub async fn sweep(&self) {
        let needle = format!("{RUN_ENV}={}", self.run).into_bytes();
        // A /proc scan: off the async workers.
        let swept = tokio::task::spawn_blocking(move || sweep_with(needle, false)).await;
        if let Ok(n @ 1..) = swept {
            tracing::info!(
                pgid = self.pgid,
                killed = n,
                "stopped what the cell started outside its group"
            );
        }
    }

    pub fn id(&self) -> i32 {
        self.pgid
    }

    /// Sends `sig` to every process of the group; false once the group is empty.
    pub fn signal(&self, sig: Signal) -> bool {
        !matches!(killpg(Pid::from_raw(self.pgid), sig), Err(Errno::ESRCH))
    }

    /// Whether any process of the group is still alive.
    pub fn alive(&self) -> bool {
        !matches!(killpg(Pid::from_raw(self.pgid), None), Err(Errno::ESRCH))
    }

    /// SIGINT, then SIGTERM, then SIGKILL, each after `grace`, until the group is empty.
    /// The caller reaps the leader concurrently (else the zombie keeps the group alive).
    pub async fn stop(&self, grace: Duration) {
        for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGKILL] {
            if !self.signal(sig) {
                return;
            }
            let deadline = tokio::time::Instant::now() + grace;
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
                if !self.alive() {
                    return;
                }
            }
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        live().remove(&self.pgid);
        kill_now(self.pgid);
        super::watchdog::forget(self.pgid);
    }
}

fn kill_now(pgid: i32) {
    let pg = Pid::from_raw(pgid);
    if killpg(pg, Signal::SIGTERM).is_ok() {
        let _ = killpg(pg, Signal::SIGCONT);
        let _ = killpg(pg, Signal::SIGKILL);
    }
}

/// Kills every group the engine started and has not yet cleaned up. For exit paths that cannot
/// await (panic hooks, signal handlers, the end of `main`); safe to call more than once.
pub fn kill_all_now() {
    let groups: Vec<i32> = std::mem::take(&mut *live()).into_iter().collect();
    for &pgid in &groups {
        kill_now(pgid);
    }
    sweep(true);
    super::watchdog::forget_if_free(&groups);
}
