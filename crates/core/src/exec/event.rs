//! The engine's public vocabulary: what callers (the headless runner, the TUI) receive per cell.

use std::time::Duration;

use crate::lesson::CellIndex;

/// Which pipe a chunk of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How a cell run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Non-zero exit; `code` is None when a signal ended it.
    Failed {
        code: Option<i32>,
        signal: Option<i32>,
    },
    Cancelled,
    TimedOut {
        after: Duration,
    },
    /// A verify cell that never passed within its retry budget.
    RetriesExhausted {
        attempts: u32,
    },
    /// Not run (e.g. `run=false`, or an engine error such as a missing workdir, with its message).
    Skipped {
        reason: String,
    },
    /// The engine could not start the cell (bash missing, bad cwd...).
    Error {
        message: String,
    },
    /// The cluster gate refused the cell, or stopped the run after it (see
    /// [`crate::exec::CellGate`]); nothing queued after it runs.
    Refused {
        message: String,
    },
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Passed)
    }
}

/// One event of one cell's life, in order: Started, Output*, Finished.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Started {
        cell: CellIndex,
        attempt: u32,
    },
    Output {
        cell: CellIndex,
        stream: Stream,
        bytes: Vec<u8>,
    },
    Finished {
        cell: CellIndex,
        outcome: Outcome,
        duration: Duration,
    },
    /// A background cell's process is up (it keeps running after `Finished`).
    JobStarted {
        cell: CellIndex,
        pid: u32,
    },
    /// A background job ended.
    JobExited {
        cell: CellIndex,
        code: Option<i32>,
    },
    /// What an interactive cell's program wrote to its terminal, escapes and all: for a
    /// terminal emulator ([`crate::exec::term_emulator::Emulator`]), never for a real terminal.
    Terminal {
        cell: CellIndex,
        bytes: Vec<u8>,
    },
    /// An interactive cell's session as plain text (its terminal's scrollback and screen,
    /// bounded): the cell's output. Sent once, just before its `Finished`.
    TermText {
        cell: CellIndex,
        text: String,
    },
}
