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

#[derive(Default)]
pub struct Jobs {
    tasks: JoinSet<CellIndex>,
    stops: BTreeMap<CellIndex, CancellationToken>,
}

impl Jobs {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Starts `cmd` as the job of `cell`: Started, JobStarted, Finished(Passed) once it runs,
    /// then its output, then JobExited. A cell already running as a job is stopped first.
    pub fn start(
        &mut self,
        cell: CellIndex,
        cmd: std::process::Command,
        events: mpsc::Sender<ExecEvent>,
        timeout: Option<Duration>,
        grace: Duration,
        closing: CancellationToken,
    ) {
        if let Some(old) = self.stops.remove(&cell) {
            old.cancel();
        }
        let stop = CancellationToken::new();
        self.stops.insert(cell, stop.clone());
        self.tasks
            .spawn(job(cell, cmd, events, stop, timeout, grace, closing));
    }

    pub fn stop(&mut self, cell: CellIndex) {
        if let Some(stop) = self.stops.remove(&cell) {
            stop.cancel();
        }
    }

    pub fn stop_all(&mut self) {
        for (_, stop) in std::mem::take(&mut self.stops) {
            stop.cancel();
        }
    }

    /// Waits for the next job to end; pending forever when there is none.
    pub async fn next_exit(&mut self) {
        match self.tasks.join_next().await {
            Some(Ok(cell)) => {
                self.stops.remove(&cell);
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
