//! Process groups we own. Every cell and background job is the leader of its own group, so one
//! signal reaches everything it started (pipelines, `&` children, `kubectl` sub-processes).
//! Live groups are also kept in a process-wide registry so that any exit path (Drop, a signal
//! handler, a panic hook) can kill them without access to the engine.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

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
}

impl Group {
    /// Registers the group led by `pid` (a child started with [`own_group`]).
    pub fn register(pid: u32) -> Self {
        let pgid = pid as i32;
        live().insert(pgid);
        super::watchdog::watch(pgid);
        Self { pgid }
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
    super::watchdog::forget_if_free(&groups);
}
