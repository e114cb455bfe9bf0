//! The engine actor: owns the session, a queue of cells and the background jobs; runs one
//! foreground cell at a time in queue order and reports everything as [`ExecEvent`]s.
//!
//! Contract: every queued cell gets exactly one `Finished`; `Started` (one per attempt) only
//! when a process starts for it. Cells skipped because an earlier cell of the same batch
//! failed finish as `Skipped`.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::EngineOptions;
mod start;

use super::cellrun;
use super::event::{ExecEvent, Outcome};
use super::interactive::{TermCmd, TermSpec};
use super::jobs::Jobs;
use super::session::{Session, SessionError};
use super::term_emulator::TermSize;
use crate::lesson::{CellIndex, Lesson};

pub(crate) enum Msg {
    /// Each cell with the code to run instead of the lesson's (a learner's edit), if any.
    Run {
        cells: Vec<(CellIndex, Option<String>)>,
        batch: bool,
    },
    Cancel,
    CancelAll,
    StopJob(CellIndex),
    Terminal {
        cell: CellIndex,
        spec: TermSpec,
    },
    TermInput {
        cell: CellIndex,
        bytes: Vec<u8>,
    },
    TermResize {
        cell: CellIndex,
        size: TermSize,
    },
    /// The lesson file changed: run cells of this version from now on. Sent only while
    /// nothing runs or waits (indices in the queue would name other cells).
    Reload(Arc<Lesson>),
    /// An effect the front-end's watchers observed (for cells with `until=`).
    Observed(crate::effects::Observed),
    Shutdown(oneshot::Sender<()>),
}

enum Work {
    Cell {
        cell: CellIndex,
        batch: Option<u64>,
        code: Option<String>,
    },
    Terminal {
        cell: CellIndex,
        spec: TermSpec,
        cmds: mpsc::UnboundedReceiver<TermCmd>,
    },
}

type Running = Pin<Box<dyn Future<Output = (Session, CellIndex, Outcome)> + Send>>;

pub(crate) struct Actor {
    lesson: Arc<Lesson>,
    opts: Arc<EngineOptions>,
    events: mpsc::Sender<ExecEvent>,
    session: Option<Session>,
    queue: VecDeque<Work>,
    current: Option<(CancellationToken, Option<u64>)>,
    jobs: Jobs,
    /// Interactive cells queued or running: their keyboard and size, in order, from the
    /// moment they are queued (keys typed before the program starts are kept for it).
    terms: HashMap<CellIndex, mpsc::UnboundedSender<TermCmd>>,
    next_batch: u64,
    /// Cancelled once shutdown starts: events nobody reads are dropped from then on.
    closing: CancellationToken,
    /// What the watchers observed, for cells that wait on an effect (`until=`).
    seen: Arc<crate::exec::seen::Seen>,
    /// The last two cells started and when: a cell waiting on an effect counts what arrived
    /// since the cell before it started.
    started: VecDeque<(CellIndex, std::time::SystemTime)>,
}

impl Actor {
    pub fn new(
        lesson: Arc<Lesson>,
        opts: EngineOptions,
        events: mpsc::Sender<ExecEvent>,
    ) -> Result<Self, SessionError> {
        let env = lesson
            .meta
            .env
            .clone()
            .into_iter()
            .chain(opts.env.iter().cloned());
        let session = Session::new(opts.bash.clone(), cellrun::workdir(&lesson), env)?;
        Ok(Self {
            lesson,
            opts: Arc::new(opts),
            events,
            session: Some(session),
            queue: VecDeque::new(),
            current: None,
            jobs: Jobs::default(),
            terms: HashMap::new(),
            next_batch: 0,
            closing: CancellationToken::new(),
            seen: Arc::default(),
            started: VecDeque::new(),
        })
    }

    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let mut running: Option<Running> = None;
        let done = loop {
            if running.is_none() {
                running = self.next_work().await;
            }
            tokio::select! {
                msg = rx.recv() => match msg {
                    None => break None,
                    Some(Msg::Shutdown(done)) => break Some(done),
                    Some(msg) => self.handle(msg).await,
                },
                (session, _cell, outcome) = async { match running.as_mut() { Some(r) => r.await, None => std::future::pending().await } }, if running.is_some() => {
                    running = None;
                    self.finish(session, outcome).await;
                }
                _ = self.jobs.next_exit(), if !self.jobs.is_empty() => {}
            }
        };
        self.closing.cancel();
        self.cancel_everything().await;
        if let Some(running) = running {
            let (session, _cell, outcome) = running.await;
            self.finish(session, outcome).await;
        }
        self.jobs.drain().await;
        if let Some(done) = done {
            let _ = done.send(());
        }
    }

    async fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Run { cells, batch } => {
                let batch = batch.then(|| {
                    self.next_batch += 1;
                    self.next_batch
                });
                let work = cells
                    .into_iter()
                    .map(|(cell, code)| Work::Cell { cell, batch, code });
                self.queue.extend(work);
            }
            Msg::Terminal { cell, spec } => {
                let (tx, cmds) = mpsc::unbounded_channel();
                self.terms.insert(cell, tx);
                self.queue.push_back(Work::Terminal { cell, spec, cmds })
            }
            Msg::TermInput { cell, bytes } => self.send_term(cell, TermCmd::Input(bytes)),
            Msg::TermResize { cell, size } => self.send_term(cell, TermCmd::Resize(size)),
            Msg::Cancel => {
                if let Some((token, _)) = &self.current {
                    token.cancel();
                }
            }
            Msg::CancelAll => {
                if let Some((token, _)) = &self.current {
                    token.cancel();
                }
                self.drop_queue(|_| true, Outcome::Cancelled).await;
            }
            Msg::StopJob(cell) => self.jobs.stop(cell),
            Msg::Observed(observed) => self.seen.push(observed),
            Msg::Reload(lesson) => {
                if self.current.is_some() || !self.queue.is_empty() {
                    tracing::warn!("lesson reloaded while cells run or wait: they keep their code");
                }
                self.lesson = lesson;
            }
            Msg::Shutdown(_) => unreachable!("handled by the loop"),
        }
    }

    async fn cancel_everything(&mut self) {
        if let Some((token, _)) = &self.current {
            token.cancel();
        }
        self.jobs.stop_all();
        let queued: Vec<Work> = self.queue.drain(..).collect();
        for work in queued {
            self.finish_unrun(work, Outcome::Cancelled).await;
        }
    }

    /// Removes queued work matching `pred`, finishing each with `outcome`.
    async fn drop_queue(&mut self, pred: impl Fn(Option<u64>) -> bool, outcome: Outcome) {
        let (dropped, kept): (Vec<Work>, Vec<Work>) = self.queue.drain(..).partition(|w| match w {
            Work::Cell { batch, .. } => pred(*batch),
            Work::Terminal { .. } => pred(None),
        });
        self.queue = kept.into();
        for work in dropped {
            self.finish_unrun(work, outcome.clone()).await;
        }
    }

    /// The cluster gate said no: nothing queued may run after it, whatever its batch.
    async fn stop_after_refusal(&mut self, message: &str) {
        let reason = format!("not run: the cluster gate stopped the run ({message})");
        self.drop_queue(|_| true, Outcome::Skipped { reason }).await;
    }

    async fn finish_unrun(&mut self, work: Work, outcome: Outcome) {
        let cell = match work {
            Work::Cell { cell, .. } | Work::Terminal { cell, .. } => cell,
        };
        self.send_finished(cell, outcome).await;
        self.forget_ended_terms();
    }

    fn send_term(&self, cell: CellIndex, cmd: TermCmd) {
        if let Some(tx) = self.terms.get(&cell) {
            let _ = tx.send(cmd);
        }
    }

    /// A terminal whose cell ended (its receiver is gone) takes no more keys.
    fn forget_ended_terms(&mut self) {
        self.terms.retain(|_, tx| !tx.is_closed());
    }

    async fn finish(&mut self, session: Session, outcome: Outcome) {
        self.session = Some(session);
        self.forget_ended_terms();
        let batch = self.current.take().and_then(|(_, b)| b);
        if let Outcome::Refused { message } = &outcome {
            self.stop_after_refusal(message).await;
            return;
        }
        if let (false, Some(b)) = (outcome.is_success(), batch) {
            let reason = "an earlier cell of this step failed".to_string();
            self.drop_queue(|q| q == Some(b), Outcome::Skipped { reason })
                .await;
        }
    }
}

#[cfg(test)]
mod edit_tests;
