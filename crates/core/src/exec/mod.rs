//! The execution engine: runs a lesson's cells as if typed into one terminal and reports each
//! cell's life as typed [`ExecEvent`]s. The TUI drives it through an [`EngineHandle`];
//! `kubetutor run` (the front-end's headless runner) is a client of the same engine.
//!
//! ```ignore
//! let (engine, mut events) = Engine::spawn(lesson.clone(), EngineOptions::from_env())?;
//! // opts.gate: the cluster session, consulted around every cell (see [`CellGate`])
//! engine.queue(cells_of_step, true);  // or engine.run(cell); Ctrl-C: engine.cancel()
//! while let Some(ev) = events.recv().await { /* fold into app state */ }
//! // interactive=true cells run on a pty of their own: feed ExecEvent::Terminal bytes to a
//! // term_emulator::Emulator, send the keyboard back
//! engine.run_terminal(cell, TermSpec { size, script: None });
//! engine.term_input(cell, b"set k v\r".to_vec());
//! engine.shutdown().await;             // on quit: every cell and job is gone
//! ```
//! Panic hooks and signal handlers that cannot await call [`proc::kill_all_now`].
//!
//! Layout: `session` (state carried between cells, and why one bash per cell), `attempt` (one
//! process: group, streaming, timeout, cancel), `cellrun` (attributes, verify retries,
//! capture), `jobs` (background cells), `interactive` (cells on a pty: `pty`, and
//! `term_emulator` for their screen), `engine` (the actor), `proc` (process groups, no
//! orphans), `hints` (unset `$VAR`s), `run` (headless runner and transcript).

mod attempt;
mod bashdump;
pub mod buffer;
mod cellrun;
mod engine;
#[cfg(test)]
mod engine_tests;
pub mod event;
mod hints;
mod interactive;
mod jobs;
pub mod listening;
pub mod proc;
mod pty;
pub mod seen;
mod session;
pub mod term_emulator;
#[cfg(test)]
mod terminal_tests;
mod tmpfs;
mod warm;
pub use warm::quote as shell_quote;
mod watchdog;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use event::*;
pub use interactive::TermSpec;
pub use session::SessionError;

use crate::lesson::{CellIndex, Lesson};

/// Capabilities the environment lacks, comma or space separated (e.g. `containers`): cells
/// with a matching `needs=` are skipped with a reason instead of failing.
pub const SKIP_NEEDS_ENV: &str = "KUBETUTOR_SKIP_NEEDS";

#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The shell; `KUBETUTOR_BASH` overrides the default `bash` (found on PATH).
    pub bash: PathBuf,
    /// For cells without `timeout=`.
    pub default_timeout: Duration,
    /// Between SIGINT, SIGTERM and SIGKILL when stopping a cell.
    pub grace: Duration,
    pub skip_needs: Vec<String>,
    /// Extra environment for every cell (on top of the lesson's `env:`).
    pub env: Vec<(String, String)>,
    /// Capacity of the event channel; a slow reader slows the cells, never loses output.
    /// Output events carry up to 256 KiB, so 64 bounds queued output to 16 MiB.
    pub event_capacity: usize,
    /// Consulted around every cell (the cluster session).
    pub gate: Option<Gate>,
}

/// Checks the engine makes around every cell on behalf of someone else (the cluster session):
/// the engine knows when cells start and end, the gate knows what is safe.
pub trait CellGate: Send + Sync {
    /// Variables every cell gets afresh, whatever an earlier cell exported or unset.
    fn pinned_env(&self) -> Vec<(String, String)>;
    /// Before a cell (foreground, background or interactive) runs `code`; Err refuses it and
    /// everything queued after it. May block (runs off the engine's task).
    fn before(&self, code: &str) -> Result<(), String>;
    /// After a foreground cell ended; Err marks it refused and drops what is queued.
    fn after(&self) -> Result<(), String>;
}

/// A shared [`CellGate`].
#[derive(Clone)]
pub struct Gate(pub Arc<dyn CellGate>);

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

/// A private directory to remove if we die without removing it (the orphan watchdog).
pub fn remove_dir_at_exit(dir: &std::path::Path) {
    watchdog::remove_at_exit(dir);
}

/// A directory given to [`remove_dir_at_exit`] that is gone now.
pub fn forget_dir_at_exit(dir: &std::path::Path) {
    watchdog::forget_dir(dir);
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            bash: PathBuf::from("bash"),
            default_timeout: Duration::from_secs(600),
            grace: Duration::from_secs(2),
            skip_needs: Vec::new(),
            env: Vec::new(),
            event_capacity: 64,
            gate: None,
        }
    }
}

impl EngineOptions {
    /// Defaults plus `KUBETUTOR_BASH` and `KUBETUTOR_SKIP_NEEDS` from the environment.
    pub fn from_env() -> Self {
        let mut opts = Self::default();
        if let Some(bash) = std::env::var_os("KUBETUTOR_BASH").filter(|b| !b.is_empty()) {
            opts.bash = bash.into();
        }
        if let Ok(needs) = std::env::var(SKIP_NEEDS_ENV) {
            opts.skip_needs = needs
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
        }
        opts
    }
}

pub struct Engine;

impl Engine {
    /// Starts the engine task (call from inside a tokio runtime). Events arrive on the
    /// receiver until the engine stops (after [`EngineHandle::shutdown`] or when every handle
    /// is dropped; either way running cells and background jobs are stopped).
    pub fn spawn(
        lesson: Arc<Lesson>,
        opts: EngineOptions,
    ) -> Result<(EngineHandle, mpsc::Receiver<ExecEvent>), SessionError> {
        proc::become_subreaper();
        let (events_tx, events_rx) = mpsc::channel(opts.event_capacity.max(1));
        let (tx, rx) = mpsc::unbounded_channel();
        let actor = engine::Actor::new(lesson, opts, events_tx)?;
        tokio::spawn(actor.run(rx));
        Ok((EngineHandle { tx }, events_rx))
    }
}

/// Sends an event. Once the engine is `closing`, a full channel gets a short grace and then
/// the event is dropped: a consumer that stopped reading (a UI on its way out) must never keep
/// a cell, a job or the engine from stopping.
pub(crate) async fn emit(
    events: &mpsc::Sender<ExecEvent>,
    event: ExecEvent,
    closing: &tokio_util::sync::CancellationToken,
) {
    let permit = tokio::select! {
        biased;
        p = events.reserve() => p.ok(),
        _ = closing.cancelled() => {
            let grace = Duration::from_millis(200);
            tokio::time::timeout(grace, events.reserve()).await.ok().and_then(Result::ok)
        }
    };
    if let Some(permit) = permit {
        permit.send(event);
    }
}

/// Controls a running engine. Cheap to clone; methods never block.
#[derive(Clone)]
pub struct EngineHandle {
    tx: mpsc::UnboundedSender<engine::Msg>,
}

impl EngineHandle {
    fn send(&self, msg: engine::Msg) {
        // A stopped engine has nothing left to control.
        let _ = self.tx.send(msg);
    }

    /// Queues one cell.
    pub fn run(&self, cell: CellIndex) {
        self.queue(vec![(cell, None)], false);
    }

    /// Queues cells, each running the lesson's code (`None`) or replacement code (`Some`: a
    /// learner's edit; the cell's attributes, the session and the events stay the same). A
    /// `batch` is a step: its first failure skips the rest of it.
    pub fn queue(&self, cells: Vec<(CellIndex, Option<String>)>, batch: bool) {
        self.send(engine::Msg::Run { cells, batch });
    }

    /// Cancels the running foreground cell (SIGINT, SIGTERM, SIGKILL to its group).
    pub fn cancel(&self) {
        self.send(engine::Msg::Cancel);
    }

    /// Cancels the running cell and everything queued.
    pub fn cancel_all(&self) {
        self.send(engine::Msg::CancelAll);
    }

    /// Stops a background job.
    pub fn stop_job(&self, cell: CellIndex) {
        self.send(engine::Msg::StopJob(cell));
    }

    /// An effect the watchers observed: cells with `until=` wait for theirs.
    pub fn observed(&self, observed: crate::effects::Observed) {
        self.send(engine::Msg::Observed(observed));
    }

    /// Cells run from `lesson` from now on (its file changed). Only while nothing runs or is
    /// queued, and with every live job's cell at the same index (jobs keep their index).
    pub fn reload(&self, lesson: Arc<Lesson>) {
        self.send(engine::Msg::Reload(lesson));
    }

    /// Queues an `interactive=true` cell on a pty of `spec.size`: events `Started`,
    /// `Terminal`*, `TermText`, `Finished`. [`Self::cancel`] ends it like any cell.
    pub fn run_terminal(&self, cell: CellIndex, spec: TermSpec) {
        self.send(engine::Msg::Terminal { cell, spec });
    }

    /// Keys for an interactive cell, from the moment it is queued: what arrives before its
    /// program waits for input is held until it does (see `pty::Readiness`).
    pub fn term_input(&self, cell: CellIndex, bytes: Vec<u8>) {
        self.send(engine::Msg::TermInput { cell, bytes });
    }

    /// Resizes an interactive cell's terminal (its program gets SIGWINCH).
    pub fn term_resize(&self, cell: CellIndex, size: term_emulator::TermSize) {
        self.send(engine::Msg::TermResize { cell, size });
    }

    /// Stops every running cell and background job and waits until they are gone.
    pub async fn shutdown(&self) {
        let (done, rx) = oneshot::channel();
        self.send(engine::Msg::Shutdown(done));
        let _ = rx.await;
    }
}
