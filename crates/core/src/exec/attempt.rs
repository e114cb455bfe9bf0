//! One run of one command: spawn in its own process group, stream stdout and stderr as
//! coalesced chunks, enforce the timeout and cancellation, and clean up the group.

use std::future::Future;
use std::os::fd::AsFd;
use std::os::unix::process::ExitStatusExt;
use std::pin::Pin;
use std::process::ExitStatus;
use std::time::Duration;

use nix::sys::signal::Signal;

use tokio::io::AsyncReadExt;
use tokio::process::{ChildStderr, ChildStdout};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use super::buffer::OutputBuffer;
use super::event::{ExecEvent, Stream};
use super::proc::{self, Group};
use crate::lesson::CellIndex;

/// Chunks are sent when this big, or when this old, whichever comes first: a flood becomes a
/// few large events and a trickle at most ~60 events a second.
const FLUSH_BYTES: usize = 256 * 1024;
/// One read takes up to this much: a flood costs ~400 reads per 100 MB, not ~1500.
const READ_BYTES: usize = 256 * 1024;
/// Reads start this small and grow (to [`READ_BYTES`]) only when a read fills the buffer: most
/// cells print a few lines, and a 256 KiB buffer per stream per cell is an mmap and munmap.
const FIRST_READ_BYTES: usize = 8 * 1024;
const FLUSH_AFTER: Duration = Duration::from_millis(16);
const PIPE_SIZE: i32 = 1 << 20;
/// After the shell exits, how long leftover output (or `cmd &` children) may hold the pipes.
const DRAIN: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub enum Ending {
    Exited(ExitStatus),
    Cancelled,
    TimedOut(Duration),
    /// The process could not be started.
    SpawnFailed(std::io::Error),
}

#[derive(Debug)]
pub struct Attempt {
    pub ending: Ending,
    /// Stdout, bounded; only when asked for (capture).
    pub stdout: Option<OutputBuffer>,
}

pub struct Ctx<'a> {
    pub cell: CellIndex,
    pub events: &'a mpsc::Sender<ExecEvent>,
    pub cancel: &'a CancellationToken,
    /// The engine is shutting down: output nobody reads any more is dropped, not awaited.
    pub closing: &'a CancellationToken,
    pub timeout: Option<Duration>,
    pub grace: Duration,
    pub keep_stdout: bool,
    /// PR_SET_PDEATHSIG for the shell (see [`proc::own_group`]).
    pub die_with_parent: bool,
    /// Told the leader's pid once it runs (background jobs announce it).
    pub spawned: Option<tokio::sync::oneshot::Sender<u32>>,
}

/// A process started in its own registered group, with stdout and stderr piped to us.
pub struct Started {
    child: tokio::process::Child,
    group: Group,
    out: ChildStdout,
    err: ChildStderr,
}

impl Started {
    /// Spawns `cmd` (already configured with env, cwd and stdin).
    pub fn spawn(cmd: std::process::Command, die_with_parent: bool) -> std::io::Result<Self> {
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        proc::own_group(&mut cmd, die_with_parent);
        let run = proc::next_run_mark();
        cmd.env(proc::RUN_ENV, &run);
        let mut child = cmd.spawn()?;
        let group = child.id().map(|pid| Group::register(pid, run));
        let (Some(out), Some(err), Some(group)) = (child.stdout.take(), child.stderr.take(), group)
        else {
            let _ = child.start_kill();
            return Err(std::io::Error::other("child has no pipes"));
        };
        // Bigger pipes mean fewer wake-ups for chatty cells; best effort (may exceed the limit).
        for fd in [out.as_fd(), err.as_fd()] {
            let _ = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        }
        Ok(Self {
            child,
            group,
            out,
            err,
        })
    }

    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// The pipe to the process's stdin, when it was started with one.
    pub fn take_stdin(&mut self) -> Option<tokio::process::ChildStdin> {
        self.child.stdin.take()
    }
}

/// Spawns `cmd` (already configured with env, cwd and stdin) and runs it to the end.
pub async fn run(cmd: std::process::Command, ctx: Ctx<'_>) -> Attempt {
    match Started::spawn(cmd, ctx.die_with_parent) {
        Ok(started) => run_started(started, ctx).await,
        Err(e) => Attempt {
            ending: Ending::SpawnFailed(e),
            stdout: None,
        },
    }
}

/// A year from `start`: the instant `select!` sleeps until when nothing is due.
pub(crate) fn far_after(start: Instant) -> Instant {
    start + Duration::from_secs(86_400 * 365)
}

/// `start + d`, or [`far_after`] when that is later or overflows.
pub(crate) fn deadline_after(start: Instant, d: Duration) -> Instant {
    let far = far_after(start);
    start.checked_add(d).filter(|t| *t < far).unwrap_or(far)
}

/// Runs an already started process to the end (the timeout counts from now).
pub async fn run_started(started: Started, mut ctx: Ctx<'_>) -> Attempt {
    let Started {
        mut child,
        group,
        out,
        err,
    } = started;
    if let (Some(tx), Some(pid)) = (ctx.spawned.take(), child.id()) {
        let _ = tx.send(pid);
    }
    let mut pump = Pump::new(&ctx);
    let ending = supervise(&mut child, &group, out, err, &mut pump, &ctx).await;
    pump.flush().await;
    Attempt {
        ending,
        stdout: pump.stdout,
    }
}

async fn supervise(
    child: &mut tokio::process::Child,
    group: &Group,
    mut out: ChildStdout,
    mut err: ChildStderr,
    pump: &mut Pump<'_>,
    ctx: &Ctx<'_>,
) -> Ending {
    let start = Instant::now();
    let far = far_after(start);
    // A timeout past `far` (no lesson asks for one; see `attr_values::MAX_DURATION`) is no
    // timeout, not an overflow panic.
    let deadline = ctx
        .timeout
        .and_then(|t| start.checked_add(t))
        .filter(|d| *d < far);
    let mut obuf = Vec::with_capacity(FIRST_READ_BYTES);
    let mut ebuf = Vec::with_capacity(FIRST_READ_BYTES);
    let (mut out_open, mut err_open) = (true, true);
    let mut status: Option<ExitStatus> = None;
    let mut stopping: Option<Ending> = None;
    let mut drain_until: Option<Instant> = None;
    let mut stopper: Option<Pin<Box<dyn Future<Output = ()> + Send + '_>>> = None;
    loop {
        if status.is_some() && !out_open && !err_open {
            break;
        }
        let flush_at = pump.flush_at.unwrap_or(far);
        tokio::select! {
            r = out.read_buf(&mut obuf), if out_open => match r {
                Ok(0) | Err(_) => out_open = false,
                Ok(_) => pump.push(Stream::Stdout, &mut obuf).await,
            },
            r = err.read_buf(&mut ebuf), if err_open => match r {
                Ok(0) | Err(_) => err_open = false,
                Ok(_) => pump.push(Stream::Stderr, &mut ebuf).await,
            },
            s = child.wait(), if status.is_none() => {
                status = Some(s.unwrap_or_else(|_| ExitStatus::from_raw(1 << 8)));
                // Whatever the shell left behind in its group (`cmd &`) goes with it.
                group.signal(Signal::SIGTERM);
                drain_until = Some(Instant::now() + DRAIN);
            }
            _ = sleep_until(flush_at), if pump.flush_at.is_some() => pump.flush().await,
            _ = ctx.cancel.cancelled(), if stopping.is_none() && status.is_none() => {
                stopping = Some(Ending::Cancelled);
                stopper = Some(Box::pin(group.stop(ctx.grace)));
            }
            _ = sleep_until(deadline.unwrap_or(far)), if deadline.is_some() && stopping.is_none() && status.is_none() => {
                stopping = Some(Ending::TimedOut(ctx.timeout.unwrap_or_default()));
                stopper = Some(Box::pin(group.stop(ctx.grace)));
            }
            _ = async { if let Some(s) = stopper.as_mut() { s.await } }, if stopper.is_some() => stopper = None,
            _ = sleep_until(drain_until.unwrap_or(far)), if drain_until.is_some() => {
                // Someone outside our reach still holds the pipes: stop waiting for them.
                group.signal(Signal::SIGKILL);
                break;
            }
        }
    }
    if stopping.is_some() {
        // Cancelled or timed out: what it started outside its group goes too (a cell that
        // ends by itself keeps its daemons; `redis-server --daemonize` is a lesson's step).
        drop(stopper);
        group.sweep().await;
    }
    match (stopping, status) {
        (Some(reason), _) => reason,
        (None, Some(s)) => Ending::Exited(s),
        (None, None) => Ending::Cancelled,
    }
}

/// Coalesces chunks into Output events, keeping stream order.
struct Pump<'a> {
    cell: CellIndex,
    events: &'a mpsc::Sender<ExecEvent>,
    closing: &'a CancellationToken,
    pending: Vec<u8>,
    stream: Stream,
    flush_at: Option<Instant>,
    stdout: Option<OutputBuffer>,
}

impl<'a> Pump<'a> {
    fn new(ctx: &Ctx<'a>) -> Self {
        let stdout = ctx.keep_stdout.then(OutputBuffer::default);
        Self {
            cell: ctx.cell,
            events: ctx.events,
            closing: ctx.closing,
            pending: Vec::new(),
            stream: Stream::Stdout,
            flush_at: None,
            stdout,
        }
    }

    /// Takes the bytes just read into `buf` (moving the buffer when it can, not copying) and
    /// leaves `buf` empty with room for the next read.
    async fn push(&mut self, stream: Stream, buf: &mut Vec<u8>) {
        let filled = buf.len() == buf.capacity();
        let next_read = if filled {
            (buf.capacity() * 4).min(READ_BYTES)
        } else {
            buf.capacity()
        };
        if stream == Stream::Stdout
            && let Some(kept) = &mut self.stdout
        {
            kept.push(buf);
        }
        if stream != self.stream && !self.pending.is_empty() {
            self.flush().await;
        }
        self.stream = stream;
        if self.pending.is_empty() {
            std::mem::swap(&mut self.pending, buf);
        } else {
            self.pending.extend_from_slice(buf);
        }
        buf.clear();
        buf.reserve(next_read);
        if self.pending.len() >= FLUSH_BYTES {
            self.flush().await;
        } else if self.flush_at.is_none() {
            self.flush_at = Some(Instant::now() + FLUSH_AFTER);
        }
    }

    async fn flush(&mut self) {
        self.flush_at = None;
        if self.pending.is_empty() {
            return;
        }
        let mut bytes = std::mem::take(&mut self.pending);
        // A trickle's few bytes must not pin a whole read buffer while queued or kept.
        if bytes.capacity() > 2 * bytes.len() {
            bytes.shrink_to_fit();
        }
        let event = ExecEvent::Output {
            cell: self.cell,
            stream: self.stream,
            bytes,
        };
        // A closed channel means nobody listens any more; the run still ends cleanly.
        super::emit(self.events, event, self.closing).await;
    }
}
