//! `interactive=true` cells (a redis-cli prompt, `kubectl exec -it`, `read -p`) run on a
//! pseudo-terminal of their own, with the session's state; the state they leave is carried
//! on like any other cell's. Nobody hands the real terminal over: the program's output goes
//! to clients as [`ExecEvent::Terminal`] bytes (for their emulator), the keyboard comes back
//! through [`EngineHandle::term_input`](super::EngineHandle::term_input), and at exit the
//! session's text ([`ExecEvent::TermText`]) becomes the cell's output.
//!
//! The program leads its own session and process group (the pty is its controlling
//! terminal): cancel, timeout and shutdown end the group with the usual escalation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::event::{ExecEvent, Outcome};
use super::proc::{self, Group};
use super::pty::{self, Master, Slave};
use super::session::Session;
use super::term_emulator::{Emulator, TermSize};
use super::{EngineOptions, cellrun};
use crate::lesson::{CellIndex, Lesson};

/// What a client asks of an interactive cell's terminal while it is queued or running.
#[derive(Debug)]
pub(crate) enum TermCmd {
    Input(Vec<u8>),
    Resize(TermSize),
}

/// How to start an interactive cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermSpec {
    pub size: TermSize,
    /// Headless: typed line by line as the program asks for input, then end of input (^D).
    pub script: Option<Vec<u8>>,
}

/// Output read at once at most; the event channel bounds what is queued.
const READ_BYTES: usize = 64 * 1024;
/// After the program exits, how long its children may still write to the terminal.
const DRAIN: Duration = Duration::from_millis(300);
/// Headless input: a line is typed once the program has answered the last one and this long
/// passed without output.
const SETTLE: Duration = Duration::from_millis(30);
/// Headless input through a relay (`kubectl exec -it`): how long the program it starts may
/// take to say its first words before the script is typed anyway.
const RELAY_FIRST_WORDS: Duration = Duration::from_secs(20);
/// A headless interactive cell without `timeout=` is stopped after this long.
pub const HEADLESS_TIMEOUT: Duration = Duration::from_secs(60);
/// End of input for a terminal in canonical mode (and for most line editors).
const EOF: u8 = 0x04;

pub(crate) struct Ctx {
    pub lesson: Arc<Lesson>,
    pub opts: Arc<EngineOptions>,
    pub events: mpsc::Sender<ExecEvent>,
    pub cancel: CancellationToken,
    pub closing: CancellationToken,
}

/// Runs cell `index` on a pty until it exits, is cancelled or times out.
pub(crate) async fn run(
    mut session: Session,
    ctx: Ctx,
    index: CellIndex,
    spec: TermSpec,
    cmds: mpsc::UnboundedReceiver<TermCmd>,
) -> (Session, CellIndex, Outcome) {
    let start = Instant::now();
    let (outcome, ended, cwd_own) = match launch(&mut session, &ctx, index, &spec) {
        Ok((master, slave, child, own, run)) => {
            let launched = (master, slave, child, run);
            let (outcome, ended) = drive(&ctx, index, &spec, launched, cmds).await;
            (outcome, ended, Some(own))
        }
        Err(outcome) => (outcome, Instant::now(), None),
    };
    if let Some(own) = cwd_own {
        let env = ctx.lesson.cells().get(index).map(|c| c.attrs.env.clone());
        if let Err(e) = session.absorb(&env.unwrap_or_default(), own) {
            tracing::warn!(cell = index, "shell state not carried over: {e}");
        }
    }
    let outcome = match outcome {
        Outcome::Error { .. } => outcome,
        other => cellrun::after_gate(&ctx.opts, other).await,
    };
    let finished = ExecEvent::Finished {
        cell: index,
        outcome: outcome.clone(),
        duration: ended.saturating_duration_since(start),
    };
    super::emit(&ctx.events, finished, &ctx.closing).await;
    (session, index, outcome)
}

type Launched = (Master, Slave, tokio::process::Child, bool, String);

fn launch(
    session: &mut Session,
    ctx: &Ctx,
    index: CellIndex,
    spec: &TermSpec,
) -> Result<Launched, Outcome> {
    let cells = ctx.lesson.cells();
    let Some(c) = cells.get(index) else {
        return Err(Outcome::Error {
            message: format!("no cell #{index}"),
        });
    };
    let (dir, own) = cellrun::cell_dir(&ctx.lesson, c, session)?;
    let mut cmd = session.command(&c.code, &c.attrs.env, &dir, true);
    // What the emulator understands; a size in the environment would override the pty's.
    cmd.env("TERM", "xterm-256color")
        .env_remove("COLUMNS")
        .env_remove("LINES");
    let run = proc::next_run_mark();
    cmd.env(proc::RUN_ENV, &run);
    let (master, slave, child) = pty::spawn(cmd, spec.size).map_err(|e| Outcome::Error {
        message: format!("cannot start the cell on a terminal: {e}"),
    })?;
    Ok((master, slave, child, own, run))
}

fn timeout_of(ctx: &Ctx, index: CellIndex, spec: &TermSpec) -> Option<Duration> {
    let own = ctx.lesson.cells().get(index).and_then(|c| c.attrs.timeout);
    // Nobody watches a headless run: a program still waiting for keys after its script
    // must not hold the run for the default ten minutes.
    match spec.script {
        Some(_) => Some(own.unwrap_or(HEADLESS_TIMEOUT.min(ctx.opts.default_timeout))),
        None => own,
    }
}

/// Output activity, shared with the writer (headless input waits for answers).
#[derive(Default)]
struct Activity {
    /// Milliseconds since start of the last output, plus one (0: none yet).
    last_output: AtomicU64,
}

async fn drive(
    ctx: &Ctx,
    index: CellIndex,
    spec: &TermSpec,
    (master, slave, mut child, run): (Master, Slave, tokio::process::Child, String),
    mut cmds: mpsc::UnboundedReceiver<TermCmd>,
) -> (Outcome, Instant) {
    let Some(pid) = child.id() else {
        let message = "the cell's process vanished at start".to_string();
        return (Outcome::Error { message }, Instant::now());
    };
    // The program leads a new session, hence a group of its own with its pid as id.
    let group = Group::register(pid, run);
    super::emit(
        &ctx.events,
        ExecEvent::Started {
            cell: index,
            attempt: 1,
        },
        &ctx.closing,
    )
    .await;
    let master = Arc::new(master);
    let activity = Arc::new(Activity::default());
    let started = Instant::now();
    let (input_tx, input_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let writer = tokio::spawn(write_input(
        master.clone(),
        slave,
        input_rx,
        spec.script.clone(),
        (activity.clone(), started),
    ));
    let mut emulator = Emulator::new(spec.size);
    let deadline = timeout_of(ctx, index, spec).map(|t| started + t);
    let mut buf = vec![0u8; READ_BYTES];
    let mut ending: Option<Outcome> = None;
    let mut exited: Option<(std::process::ExitStatus, Instant)> = None;
    let mut stopper: Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>>> = None;
    let mut stopping = false;
    let mut eof = false;
    let mut cmds_open = true;
    loop {
        if exited.is_some() && eof {
            break;
        }
        let drain_until = exited.map(|(_, at)| at + DRAIN);
        tokio::select! {
            read = master.read(&mut buf), if !eof => match read {
                Ok(0) | Err(_) => eof = true,
                Ok(n) => {
                    let ms = started.elapsed().as_millis() as u64 + 1;
                    activity.last_output.store(ms, Ordering::Relaxed);
                    // The screen the learner sees first; our copy (for the session's text) after.
                    let event = ExecEvent::Terminal { cell: index, bytes: buf[..n].to_vec() };
                    super::emit(&ctx.events, event, &ctx.closing).await;
                    emulator.process(&buf[..n]);
                    // As a terminal would: a program asking where the cursor is gets told.
                    let answers = emulator.answers(&buf[..n]);
                    if !answers.is_empty() && master.write_all(&answers).await.is_err() {
                        tracing::debug!(cell = index, "cannot answer the program's query");
                    }
                }
            },
            cmd = cmds.recv(), if cmds_open => match cmd {
                Some(TermCmd::Input(bytes)) => { let _ = input_tx.send(bytes); }
                Some(TermCmd::Resize(size)) => {
                    emulator.resize(size);
                    if let Err(e) = master.resize(emulator.size()) {
                        tracing::debug!(cell = index, "resize failed: {e}");
                    }
                }
                // The engine is gone: nobody will type any more.
                None => cmds_open = false,
            },
            status = child.wait(), if exited.is_none() => {
                let status = status.unwrap_or_else(|_| std::os::unix::process::ExitStatusExt::from_raw(0));
                exited = Some((status, Instant::now()));
            }
            _ = ctx.cancel.cancelled(), if !stopping => {
                ending.get_or_insert(Outcome::Cancelled);
                stopping = true;
                stopper = Some(Box::pin(group.stop(ctx.opts.grace)));
            }
            _ = sleep_until_opt(deadline), if !stopping && deadline.is_some() => {
                let after = deadline.map_or(Duration::ZERO, |d| d.duration_since(started));
                ending.get_or_insert(Outcome::TimedOut { after });
                stopping = true;
                stopper = Some(Box::pin(group.stop(ctx.opts.grace)));
            }
            // The escalation runs beside the loop, which keeps reaping and reading meanwhile.
            _ = async { if let Some(s) = stopper.as_mut() { s.await } }, if stopper.is_some() => stopper = None,
            _ = sleep_until_opt(drain_until), if drain_until.is_some() => break,
        }
    }
    writer.abort();
    drop(stopper);
    let text = emulator.text();
    super::emit(
        &ctx.events,
        ExecEvent::TermText { cell: index, text },
        &ctx.closing,
    )
    .await;
    if stopping {
        // What it started outside its group (`setsid`, daemons) goes with it.
        group.sweep().await;
    }
    drop(group);
    let (status, at) = match exited {
        Some(e) => e,
        None => (
            std::os::unix::process::ExitStatusExt::from_raw(9),
            Instant::now(),
        ),
    };
    (ending.unwrap_or_else(|| outcome_of(status)), at)
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn outcome_of(status: std::process::ExitStatus) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    if status.success() {
        Outcome::Passed
    } else {
        Outcome::Failed {
            code: status.code(),
            signal: status.signal(),
        }
    }
}

/// Writes the keyboard to the terminal, holding what is typed before the program first waits
/// for input (see [`pty::Readiness`]). Headless, the script is typed a line at a time: the
/// first once the program has spoken, each next once it answered the one before.
async fn write_input(
    master: Arc<Master>,
    slave: Slave,
    mut input: mpsc::UnboundedReceiver<Vec<u8>>,
    script: Option<Vec<u8>>,
    (activity, started): (Arc<Activity>, Instant),
) {
    let mut ready = pty::Readiness::new();
    if let Some(script) = script {
        // The first line waits for the program's first words (a prompt) too: through
        // `kubectl exec -it` the local process is ready at once, while the remote program
        // starts later (seconds on a loaded node) and flushes what was typed ahead. A program
        // that prints nothing is typed into after the settle limit, or the relay's.
        first_words(&activity, started, &master).await;
        for line in script.split_inclusive(|&b| b == b'\n') {
            // Enter on a keyboard is CR: a line editor in raw mode takes LF for Ctrl-J, and
            // the terminal turns CR into LF for programs that read lines.
            let mut keys = line.to_vec();
            if keys.last() == Some(&b'\n') {
                keys.pop();
                keys.push(b'\r');
            }
            ready.wait(&master, &slave).await;
            let mark = started.elapsed().as_millis() as u64 + 1;
            if master.write_all(&keys).await.is_err() {
                return;
            }
            settle(&activity, mark, started).await;
            ready.rearm();
        }
        ready.wait(&master, &slave).await;
        let _ = master.write_all(&[EOF]).await;
        return;
    }
    while let Some(bytes) = input.recv().await {
        ready.wait(&master, &slave).await;
        if master.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

/// Waits for the program's first words and then [`SETTLE`] of quiet: at most
/// [`pty::READY_LIMIT`], or [`RELAY_FIRST_WORDS`] when the program relays the terminal to
/// one elsewhere (that one's prompt is what the script answers).
async fn first_words(activity: &Activity, started: Instant, master: &Master) {
    settle(activity, 0, started).await;
    if activity.last_output.load(Ordering::Relaxed) > 0 || !master.relays_to_a_remote_program() {
        return;
    }
    let limit = Instant::now() + RELAY_FIRST_WORDS;
    while Instant::now() < limit && activity.last_output.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(pty::READY_POLL).await;
    }
    settle(activity, 0, started).await;
}

/// Waits until the program wrote something after `mark` and then went quiet for [`SETTLE`]
/// (bounded by [`pty::READY_LIMIT`]).
async fn settle(activity: &Activity, mark: u64, started: Instant) {
    let limit = Instant::now() + pty::READY_LIMIT;
    while Instant::now() < limit {
        let last = activity.last_output.load(Ordering::Relaxed);
        let now = started.elapsed().as_millis() as u64 + 1;
        if last > mark && now.saturating_sub(last) >= SETTLE.as_millis() as u64 {
            return;
        }
        tokio::time::sleep(pty::READY_POLL).await;
    }
}
