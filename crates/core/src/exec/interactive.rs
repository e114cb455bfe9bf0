//! `interactive=true` cells run on the real terminal (a redis-cli prompt, `kubectl exec -it`),
//! with the session's state, and the state they leave is carried on like any other cell's.
//!
//! The engine lends its session out: [`EngineHandle::interactive`](super::EngineHandle::interactive)
//! returns a [`Lease`] once every earlier queued cell is done; the caller hands the terminal
//! over (the TUI leaves its alternate screen), calls [`Lease::run_blocking`], and takes the
//! terminal back. The engine runs nothing else meanwhile. The child stays in our process group:
//! it must be the terminal's foreground group to read the keyboard, and Ctrl-C reaches it there.

use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::cellrun;
use super::event::{ExecEvent, Outcome};
use super::session::Session;
use crate::lesson::{CellIndex, Lesson};

/// The right to run one interactive cell on the terminal now.
#[derive(Debug)]
pub struct Lease {
    cell: CellIndex,
    cmd: std::process::Command,
    done: oneshot::Sender<std::io::Result<ExitStatus>>,
}

impl Lease {
    pub fn cell(&self) -> CellIndex {
        self.cell
    }

    /// Runs the cell with inherited stdin, stdout and stderr and waits for it. Blocking: call it
    /// from a blocking context (`spawn_blocking`) or a plain thread.
    pub fn run_blocking(mut self) -> Outcome {
        let status = self.cmd.status();
        let outcome = outcome_of(&status);
        let _ = self.done.send(status);
        outcome
    }
}

fn outcome_of(status: &std::io::Result<ExitStatus>) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(s) if s.success() => Outcome::Passed,
        Ok(s) => Outcome::Failed {
            code: s.code(),
            signal: s.signal(),
        },
        Err(e) => Outcome::Error {
            message: format!("cannot start bash: {e}"),
        },
    }
}

pub(crate) type Done =
    std::pin::Pin<Box<dyn Future<Output = (Session, CellIndex, Outcome)> + Send>>;

/// Hands a lease to the caller and returns the future that waits for it to be used.
pub(crate) fn lease(
    mut session: Session,
    lesson: &Arc<Lesson>,
    cell: CellIndex,
    reply: oneshot::Sender<Result<Lease, Outcome>>,
    events: mpsc::Sender<ExecEvent>,
    closing: tokio_util::sync::CancellationToken,
) -> Done {
    let cells = lesson.cells();
    let Some(c) = cells.get(cell) else {
        let outcome = Outcome::Error {
            message: format!("no cell #{cell}"),
        };
        let _ = reply.send(Err(outcome.clone()));
        return Box::pin(async move { (session, cell, outcome) });
    };
    let (dir, own_dir) = match cellrun::cell_dir(lesson, c, &session) {
        Ok(d) => d,
        Err(outcome) => {
            let _ = reply.send(Err(outcome.clone()));
            return Box::pin(async move { (session, cell, outcome) });
        }
    };
    let env = c.attrs.env.clone();
    let mut cmd = session.command(&c.code, &env, &dir, true);
    cmd.stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let (tx, rx) = oneshot::channel();
    let sent = reply
        .send(Ok(Lease {
            cell,
            cmd,
            done: tx,
        }))
        .is_ok();
    Box::pin(async move {
        let mut session = session;
        if !sent {
            return (session, cell, Outcome::Cancelled);
        }
        let start = Instant::now();
        super::emit(&events, ExecEvent::Started { cell, attempt: 1 }, &closing).await;
        let outcome = match rx.await {
            Ok(status) => outcome_of(&status),
            Err(_) => Outcome::Cancelled,
        };
        if let Err(e) = session.absorb(&env, own_dir) {
            tracing::warn!(cell, "shell state not carried over: {e}");
        }
        let duration = start.elapsed();
        let finished = ExecEvent::Finished {
            cell,
            outcome: outcome.clone(),
            duration,
        };
        super::emit(&events, finished, &closing).await;
        (session, cell, outcome)
    })
}
