//! Taking the next queued work: instant outcomes (skips, background jobs) are handled inline;
//! a foreground or interactive cell takes the session until it finishes.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Actor, Running, Work};
use crate::exec::EngineOptions;
use crate::exec::cellrun;
use crate::exec::event::{ExecEvent, Outcome};
use crate::exec::interactive;
use crate::exec::session::Session;
use crate::lesson::{Cell, CellIndex, Lesson};

impl Actor {
    /// Starts the next queued work that needs the session; handles instant ones inline.
    pub(super) async fn next_work(&mut self) -> Option<Running> {
        while let Some(work) = self.queue.pop_front() {
            let session = self.session.as_mut()?;
            let (cell, batch, code, term) = match work {
                Work::Cell { cell, batch, code } => (cell, batch, code, None),
                Work::Terminal { cell, spec, cmds } => (cell, None, None, Some((spec, cmds))),
            };
            let cells = self.lesson.cells();
            let Some(c) = cells.get(cell) else {
                let outcome = Outcome::Error {
                    message: format!("no cell #{cell} in this lesson"),
                };
                self.send_finished(cell, outcome).await;
                continue;
            };
            if let Some(reason) = cellrun::skip_reason(c, &self.opts) {
                self.send_finished(cell, Outcome::Skipped { reason }).await;
                continue;
            }
            // What a cell waiting on an effect counts from: the start of the cell before it.
            let now = std::time::SystemTime::now();
            let since = self
                .started
                .iter()
                .rev()
                .find(|(c, _)| *c != cell)
                .map_or(now, |(_, at)| *at);
            self.started.push_back((cell, now));
            while self.started.len() > 2 {
                self.started.pop_front();
            }
            if let Some(gate) = self.opts.gate.clone() {
                for (k, v) in gate.0.pinned_env() {
                    session.set_var(&k, v);
                }
                let code = code.clone().unwrap_or_else(|| c.code.clone());
                let verdict = tokio::task::spawn_blocking(move || gate.0.before(&code)).await;
                let refusal = match verdict {
                    Ok(Ok(())) => None,
                    Ok(Err(message)) => Some(message),
                    Err(e) => Some(format!("the cluster check failed: {e}")),
                };
                if let Some(message) = refusal {
                    tracing::warn!(cell, %message, "cluster gate refused a cell");
                    let stopped = message.clone();
                    self.send_finished(cell, Outcome::Refused { message }).await;
                    self.stop_after_refusal(&stopped).await;
                    continue;
                }
            }
            if let Some((spec, cmds)) = term {
                let token = CancellationToken::new();
                self.current = Some((token.clone(), None));
                let session = self.session.take()?;
                let ctx = interactive::Ctx {
                    lesson: self.lesson.clone(),
                    opts: self.opts.clone(),
                    events: self.events.clone(),
                    cancel: token,
                    closing: self.closing.clone(),
                };
                return Some(Box::pin(interactive::run(session, ctx, cell, spec, cmds)));
            }
            if c.attrs.interactive {
                let reason =
                    "interactive: it runs on a terminal (EngineHandle::run_terminal)".to_string();
                self.send_finished(cell, Outcome::Skipped { reason }).await;
                continue;
            }
            if c.attrs.background {
                match cellrun::cell_dir(&self.lesson, c, session) {
                    Ok((dir, _)) => {
                        let code = code.as_deref().unwrap_or(&c.code);
                        let cmd = session.job_command(code, &c.attrs.env, &dir);
                        let events = self.events.clone();
                        let (timeout, grace) = (c.attrs.timeout, self.opts.grace);
                        let closing = self.closing.clone();
                        self.jobs.start(cell, cmd, events, timeout, grace, closing);
                    }
                    Err(outcome) => self.send_finished(cell, outcome).await,
                }
                continue;
            }
            let token = CancellationToken::new();
            self.current = Some((token.clone(), batch));
            let session = self.session.take()?;
            let (lesson, opts, events) =
                (self.lesson.clone(), self.opts.clone(), self.events.clone());
            let closing = self.closing.clone();
            let ctx = Foreground {
                lesson,
                opts,
                events,
                cancel: token,
                closing,
                seen: (self.seen.clone(), since),
            };
            return Some(Box::pin(foreground(session, ctx, cell, code)));
        }
        None
    }

    /// A cell that will not run: its `Finished` event.
    pub(super) async fn send_finished(&mut self, cell: CellIndex, outcome: Outcome) {
        let event = ExecEvent::Finished {
            cell,
            outcome,
            duration: Default::default(),
        };
        crate::exec::emit(&self.events, event, &self.closing).await;
    }
}

struct Foreground {
    lesson: Arc<Lesson>,
    opts: Arc<EngineOptions>,
    events: mpsc::Sender<ExecEvent>,
    cancel: CancellationToken,
    closing: CancellationToken,
    /// What was observed, and since when it counts for a cell with `until=`.
    seen: (Arc<crate::exec::seen::Seen>, std::time::SystemTime),
}

/// Runs cell `index`; `code` replaces the lesson's code (a learner's edit) while the cell's
/// attributes (cwd, env, timeout, verify, capture) still apply.
async fn foreground(
    mut session: Session,
    ctx: Foreground,
    index: CellIndex,
    code: Option<String>,
) -> (Session, CellIndex, Outcome) {
    let Foreground {
        lesson,
        opts,
        events,
        cancel,
        closing,
        seen,
    } = ctx;
    let start = Instant::now();
    let cells = lesson.cells();
    let edited: Option<Cell> = match (cells.get(index), code) {
        (Some(&cell), Some(code)) => Some(Cell {
            code,
            ..cell.clone()
        }),
        _ => None,
    };
    let outcome = match edited.as_ref().or(cells.get(index).copied()) {
        Some(cell) => {
            let run = cellrun::Run {
                lesson: &lesson,
                cell,
                index,
                opts: &opts,
                events: &events,
                cancel: &cancel,
                closing: &closing,
                seen: (&seen.0, seen.1),
            };
            let outcome = cellrun::run(&mut session, run).await;
            cellrun::after_gate(&opts, outcome).await
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
    crate::exec::emit(&events, event, &closing).await;
    (session, index, outcome)
}
