//! Background cells (`background=true`): owned processes that outlive their cell and live until
//! they end, are stopped, or the lesson ends.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::attempt::{self, Ending};
use super::event::{ExecEvent, Outcome};
use crate::lesson::CellIndex;

/// The running job of one cell. A re-run cell gets a new generation, so the end of the job it
/// replaced cannot be mistaken for the end of the new one.
struct Running {
    generation: u64,
    stop: CancellationToken,
    /// Cancelled when the job has fully ended (its JobExited is sent).
    ended: CancellationToken,
}

#[derive(Default)]
pub struct Jobs {
    tasks: JoinSet<(CellIndex, u64)>,
    running: BTreeMap<CellIndex, Running>,
    generations: u64,
}

impl Jobs {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Starts `cmd` as the job of `cell`: Started, JobStarted, Finished(Passed) once it runs,
    /// then its output, then JobExited. A cell already running as a job is stopped first, and
    /// the new job starts only once the old one has ended (so ports are free and its JobExited
    /// comes before the new JobStarted).
    pub fn start(
        &mut self,
        cell: CellIndex,
        cmd: std::process::Command,
        events: mpsc::Sender<ExecEvent>,
        timeout: Option<Duration>,
        grace: Duration,
        closing: CancellationToken,
    ) {
        let previous = self.running.remove(&cell).map(|old| {
            old.stop.cancel();
            old.ended
        });
        self.generations += 1;
        let generation = self.generations;
        let running = Running {
            generation,
            stop: CancellationToken::new(),
            ended: CancellationToken::new(),
        };
        let (stop, ended) = (running.stop.clone(), running.ended.clone());
        self.running.insert(cell, running);
        self.tasks.spawn(async move {
            let _ended = ended.drop_guard();
            if let Some(previous) = previous {
                previous.cancelled().await;
            }
            job(cell, cmd, events, stop, timeout, grace, closing).await;
            (cell, generation)
        });
    }

    pub fn stop(&mut self, cell: CellIndex) {
        if let Some(running) = self.running.remove(&cell) {
            running.stop.cancel();
        }
    }

    pub fn stop_all(&mut self) {
        for (_, running) in std::mem::take(&mut self.running) {
            running.stop.cancel();
        }
    }

    /// Waits for the next job to end; pending forever when there is none.
    pub async fn next_exit(&mut self) {
        match self.tasks.join_next().await {
            Some(Ok((cell, generation))) => {
                if self.running.get(&cell).map(|r| r.generation) == Some(generation) {
                    self.running.remove(&cell);
                }
            }
            Some(Err(e)) => tracing::error!("background job task failed: {e}"),
            None => std::future::pending().await,
        }
    }

    /// Waits until every job has ended (after [`Jobs::stop_all`]).
    pub async fn drain(&mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn job(
    cell: CellIndex,
    cmd: std::process::Command,
    events: mpsc::Sender<ExecEvent>,
    stop: CancellationToken,
    timeout: Option<Duration>,
    grace: Duration,
    closing: CancellationToken,
) -> CellIndex {
    let start = std::time::Instant::now();
    if stop.is_cancelled() {
        // Stopped while waiting for the job it replaces to end: never started.
        let finished = ExecEvent::Finished {
            cell,
            outcome: Outcome::Cancelled,
            duration: start.elapsed(),
        };
        super::emit(&events, finished, &closing).await;
        return cell;
    }
    super::emit(&events, ExecEvent::Started { cell, attempt: 1 }, &closing).await;
    let (tx, rx) = oneshot::channel();
    let ctx = attempt::Ctx {
        cell,
        events: &events,
        cancel: &stop,
        closing: &closing,
        timeout,
        grace,
        keep_stdout: false,
        die_with_parent: true,
        spawned: Some(tx),
    };
    let announce = async {
        let Ok(pid) = rx.await else { return false };
        super::emit(&events, ExecEvent::JobStarted { cell, pid }, &closing).await;
        let duration = start.elapsed();
        let finished = ExecEvent::Finished {
            cell,
            outcome: Outcome::Passed,
            duration,
        };
        super::emit(&events, finished, &closing).await;
        true
    };
    let (result, announced) = tokio::join!(attempt::run(cmd, ctx), announce);
    let code = match result.ending {
        Ending::Exited(s) => s.code(),
        Ending::SpawnFailed(e) => {
            let outcome = Outcome::Error {
                message: format!("cannot start background job: {e}"),
            };
            let finished = ExecEvent::Finished {
                cell,
                outcome,
                duration: start.elapsed(),
            };
            super::emit(&events, finished, &closing).await;
            return cell;
        }
        Ending::Cancelled | Ending::TimedOut(_) => None,
    };
    if announced {
        super::emit(&events, ExecEvent::JobExited { cell, code }, &closing).await;
    }
    cell
}
