//! Taking the next queued work: instant outcomes (skips, background jobs) are handled inline;
//! a foreground or interactive cell takes the session until it finishes.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{Actor, Running, Work};
use crate::exec::EngineOptions;
use crate::exec::cellrun;
use crate::exec::event::{ExecEvent, Outcome};
use crate::exec::interactive::{self, Lease};
use crate::exec::session::Session;
use crate::lesson::{CellIndex, Lesson};

impl Actor {
    /// Starts the next queued work that needs the session; handles instant ones inline.
    pub(super) async fn next_work(&mut self) -> Option<Running> {
        while let Some(work) = self.queue.pop_front() {
            let session = self.session.as_mut()?;
            let (cell, batch, reply) = match work {
                Work::Cell { cell, batch } => (cell, batch, None),
                Work::Interactive { cell, reply } => (cell, None, Some(reply)),
            };
            let cells = self.lesson.cells();
            let Some(c) = cells.get(cell) else {
                let outcome = Outcome::Error {
                    message: format!("no cell #{cell} in this lesson"),
                };
                self.send_finished(cell, outcome, reply).await;
                continue;
            };
            if let Some(reason) = cellrun::skip_reason(c, &self.opts) {
                self.send_finished(cell, Outcome::Skipped { reason }, reply)
                    .await;
                continue;
            }
            if let Some(reply) = reply {
                let token = CancellationToken::new();
                self.current = Some((token, None));
                let session = self.session.take()?;
                return Some(interactive::lease(
                    session,
                    &self.lesson,
                    cell,
                    reply,
                    self.events.clone(),
                ));
            }
            if c.attrs.interactive {
                let reason = "interactive: needs a terminal (run it from the TUI)".to_string();
                self.send_finished(cell, Outcome::Skipped { reason }, None)
                    .await;
                continue;
            }
            if c.attrs.background {
                match cellrun::cell_dir(&self.lesson, c, session) {
                    Ok((dir, _)) => {
                        let cmd = session.command(&c.code, &c.attrs.env, &dir, false);
                        let events = self.events.clone();
                        self.jobs
                            .start(cell, cmd, events, c.attrs.timeout, self.opts.grace);
                    }
                    Err(outcome) => self.send_finished(cell, outcome, None).await,
                }
                continue;
            }
            let token = CancellationToken::new();
            self.current = Some((token.clone(), batch));
            let session = self.session.take()?;
            let (lesson, opts, events) =
                (self.lesson.clone(), self.opts.clone(), self.events.clone());
            return Some(Box::pin(foreground(
                session, lesson, opts, events, token, cell,
            )));
        }
        None
    }

    async fn send_finished(
        &mut self,
        cell: CellIndex,
        outcome: Outcome,
        reply: Option<oneshot::Sender<Result<Lease, Outcome>>>,
    ) {
        match reply {
            Some(reply) => {
                let _ = reply.send(Err(outcome));
            }
            None => {
                let event = ExecEvent::Finished {
                    cell,
                    outcome,
                    duration: Default::default(),
                };
                let _ = self.events.send(event).await;
            }
        }
    }
}

async fn foreground(
    mut session: Session,
    lesson: Arc<Lesson>,
    opts: Arc<EngineOptions>,
    events: mpsc::Sender<ExecEvent>,
    cancel: CancellationToken,
    index: CellIndex,
) -> (Session, CellIndex, Outcome) {
    let start = Instant::now();
    let cells = lesson.cells();
    let outcome = match cells.get(index) {
        Some(cell) => {
            let run = cellrun::Run {
                lesson: &lesson,
                cell,
                index,
                opts: &opts,
                events: &events,
                cancel: &cancel,
            };
            cellrun::run(&mut session, run).await
        }
        None => Outcome::Error {
            message: format!("no cell #{index}"),
        },
    };
    let event = ExecEvent::Finished {
        cell: index,
        outcome: outcome.clone(),
        duration: start.elapsed(),
    };
    let _ = events.send(event).await;
    (session, index, outcome)
}
