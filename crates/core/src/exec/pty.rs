//! A pseudo-terminal for an interactive cell: the program runs as the leader of a new session
//! (and so of its own process group) with the pty's slave as its controlling terminal; we keep
//! the master, non-blocking, read and written through tokio's reactor (no thread per cell, no
//! polling while idle).

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::pty::Winsize;
use nix::sys::signal::Signal;
use nix::sys::termios::{Termios, tcgetattr};
use tokio::io::unix::AsyncFd;

use super::term_emulator::TermSize;

/// Our side of a pty.
pub struct Master {
    fd: AsyncFd<OwnedFd>,
}

/// What is needed to tell whether the program waits for the keyboard (see [`Readiness`]).
#[derive(Debug, Clone)]
pub struct Slave {
    rdev: u64,
    mode: Option<Mode>,
}

/// The terminal's mode flags as the program found them (nix's Termios is not Sync).
type Mode = (u64, u64, u64, u64);

fn mode(t: &Termios) -> Mode {
    (
        t.input_flags.bits() as u64,
        t.output_flags.bits() as u64,
        t.control_flags.bits() as u64,
        t.local_flags.bits() as u64,
    )
}

fn winsize(size: TermSize) -> Winsize {
    Winsize {
        ws_row: size.rows,
        ws_col: size.cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    }
}

/// Opens a pty of `size` and starts `cmd` on it (stdin, stdout and stderr on the slave).
pub fn spawn(
    mut cmd: std::process::Command,
    size: TermSize,
) -> io::Result<(Master, Slave, tokio::process::Child)> {
    let pty = nix::pty::openpty(&winsize(size), None).map_err(io::Error::from)?;
    let slave = Slave {
        rdev: std::fs::metadata(format!("/proc/self/fd/{}", pty.slave.as_raw_fd()))?.rdev(),
        mode: tcgetattr(&pty.slave).ok().map(|t| mode(&t)),
    };
    cmd.stdin(Stdio::from(pty.slave.try_clone()?))
        .stdout(Stdio::from(pty.slave.try_clone()?))
        .stderr(Stdio::from(pty.slave));
    let parent = nix::unistd::Pid::this();
    // SAFETY: between fork and exec the hook calls only async-signal-safe functions (setsid,
    // ioctl, prctl, getppid).
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            // stdin is the slave: make it our controlling terminal, so Ctrl-C, Ctrl-Z and
            // SIGWINCH reach the program's foreground group.
            if nix::libc::ioctl(0, nix::libc::TIOCSCTTY as _, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
            if nix::unistd::getppid() != parent {
                return Err(io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
    let mut cmd = tokio::process::Command::from(cmd);
    let child = cmd.spawn()?;
    // The Command holds the slave's copies; drop them so the master reads EOF once the
    // program and its children are gone.
    drop(cmd);
    let flags = OFlag::from_bits_truncate(fcntl(&pty.master, FcntlArg::F_GETFL)?);
    fcntl(&pty.master, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    // SAFETY: the OwnedFd is moved into the AsyncFd and stays open, the same descriptor,
    // until the AsyncFd is dropped.
    let fd = unsafe { AsyncFd::register(pty.master) }.map_err(|e| e.into_parts().1)?;
    let master = Master { fd };
    Ok((master, slave, child))
}

impl Master {
    /// Reads what the program wrote; 0 once every holder of the slave is gone.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|fd| nix::unistd::read(fd.get_ref(), buf).map_err(io::Error::from)) {
                // Linux reports a hung-up slave as EIO, not as end of file.
                Ok(Err(e)) if e.raw_os_error() == Some(Errno::EIO as i32) => return Ok(0),
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Writes all of `bytes` (the keyboard, as the program will read it).
    pub async fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let mut guard = self.fd.writable().await?;
            match guard
                .try_io(|fd| nix::unistd::write(fd.get_ref(), bytes).map_err(io::Error::from))
            {
                Ok(Ok(n)) => bytes = &bytes[n..],
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
        Ok(())
    }

    /// TIOCSWINSZ: the kernel sends SIGWINCH to the program's foreground group.
    pub fn resize(&self, size: TermSize) -> io::Result<()> {
        let ws = winsize(size);
        // SAFETY: TIOCSWINSZ reads one `winsize` from the pointer, which lives for the call.
        let rc = unsafe {
            nix::libc::ioctl(
                self.fd.get_ref().as_raw_fd(),
                nix::libc::TIOCSWINSZ as _,
                &ws,
            )
        };
        if rc == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Whether a process of the terminal's foreground group is waiting for the keyboard: it
    /// changed the terminal's mode (a line editor going raw) or sleeps reading the terminal.
    pub fn program_waits(&self, slave: &Slave) -> bool {
        let fd = self.fd.get_ref().as_fd();
        // On Linux a pty master answers for its slave: its termios and foreground group.
        if slave
            .mode
            .is_some_and(|m| tcgetattr(fd).is_ok_and(|now| mode(&now) != m))
        {
            return true;
        }
        let Ok(pgrp) = nix::unistd::tcgetpgrp(fd) else {
            return false;
        };
        group_members(pgrp.as_raw())
            .into_iter()
            .any(|pid| reads_terminal(pid, slave.rdev))
    }

    /// Whether the terminal's foreground program relays it to a program elsewhere
    /// (`kubectl exec -it`, `ssh`, `docker exec -it`): it is ready for keys at once, the
    /// program it relays to only once that has started, which may take seconds.
    pub fn relays_to_a_remote_program(&self) -> bool {
        let Ok(pgrp) = nix::unistd::tcgetpgrp(self.fd.get_ref().as_fd()) else {
            return false;
        };
        group_members(pgrp.as_raw()).into_iter().any(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            RELAYS.contains(&comm.trim_end())
        })
    }
}

/// Programs that relay a terminal to a program in a container or on another machine (as
/// `/proc/PID/comm` names them).
const RELAYS: &[&str] = &[
    "kubectl", "oc", "ssh", "docker", "podman", "nerdctl", "crictl", "ctr", "lxc", "incus",
];

fn group_members(pgrp: i32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // `pid (comm) S ppid pgrp ...`: comm may hold anything, fields follow the last ')'.
            let pg = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2)?.parse::<i32>().ok());
            pg == Some(pgrp)
        })
        .collect()
}

#[cfg(target_arch = "x86_64")]
mod nr {
    pub const READS: &[u64] = &[0, 17, 19];
    pub const WAITS: &[u64] = &[7, 23, 232, 270, 271, 281, 441];
}
#[cfg(target_arch = "aarch64")]
mod nr {
    pub const READS: &[u64] = &[63, 65, 67];
    pub const WAITS: &[u64] = &[22, 72, 73, 441];
}
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod nr {
    pub const READS: &[u64] = &[];
    pub const WAITS: &[u64] = &[];
}

/// Whether `pid` sleeps in a read of the terminal (or in poll/select, which a full-screen
/// program uses to wait for keys), from `/proc/PID/syscall`: `NR arg0 ...` while blocked.
fn reads_terminal(pid: u32, rdev: u64) -> bool {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/syscall")) else {
        return false;
    };
    let mut fields = text.split_whitespace();
    let Some(Ok(number)) = fields.next().map(str::parse::<u64>) else {
        return false;
    };
    if nr::WAITS.contains(&number) {
        return true;
    }
    if !nr::READS.contains(&number) {
        return false;
    }
    let fd = fields
        .next()
        .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok());
    fd.is_some_and(|fd| {
        std::fs::metadata(format!("/proc/{pid}/fd/{fd}")).is_ok_and(|m| m.rdev() == rdev)
    })
}

/// Holds keys typed before the program is ready for them. A kernel queues what is written to
/// a pty, but line editors start by discarding it (linenoise, used by redis-cli, switches to
/// raw mode with TCSAFLUSH): keys typed while such a program starts would be lost.
pub struct Readiness {
    ready: bool,
    give_up: tokio::time::Instant,
}

/// How often a program that has not read yet is looked at, and for how long at most.
pub const READY_POLL: Duration = Duration::from_millis(3);
pub const READY_LIMIT: Duration = Duration::from_secs(3);

impl Readiness {
    pub fn new() -> Self {
        Self {
            ready: false,
            give_up: tokio::time::Instant::now() + READY_LIMIT,
        }
    }

    /// Waits until the program waits for input (or [`READY_LIMIT`] passed since `rearm`).
    pub async fn wait(&mut self, master: &Master, slave: &Slave) {
        while !self.ready {
            if master.program_waits(slave) || tokio::time::Instant::now() >= self.give_up {
                self.ready = true;
                break;
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    /// Waits again before the next write (headless input: a line editor flushes what was
    /// typed ahead after every line, so each line waits for the next read).
    pub fn rearm(&mut self) {
        self.ready = false;
        self.give_up = tokio::time::Instant::now() + READY_LIMIT;
    }
}

impl Default for Readiness {
    fn default() -> Self {
        Self::new()
    }
}
