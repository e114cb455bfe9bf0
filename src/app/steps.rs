//! Where the learner is: each step's verdict from its cells' statuses, and whether the lesson
//! is complete. Computed on demand from `runs` (a few hundred cells at most per frame) so no
//! second copy of the verdicts can drift from the cells'.

use super::state::{App, CellStatus};
use crate::exec::Outcome;

/// A step's verdict, shown in its heading as ✓ ✗ ○.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Every runnable cell passed (now or in an earlier session).
    Done,
    /// A runnable cell's last run failed.
    Failed,
    /// Some runnable cell has not passed yet (idle, queued, running, cancelled).
    NotRun,
}

impl StepStatus {
    /// The heading's mark: text, so it reads the same under NO_COLOR.
    pub fn mark(self) -> &'static str {
        match self {
            StepStatus::Done => "✓",
            StepStatus::Failed => "✗",
            StepStatus::NotRun => "○",
        }
    }
}

/// A cell's last verdict: Some(true) passed, Some(false) failed, None not run to a verdict.
fn verdict(status: &CellStatus) -> Option<bool> {
    match status {
        CellStatus::Done { outcome, .. } => match outcome {
            Outcome::Passed => Some(true),
            Outcome::Cancelled | Outcome::Skipped { .. } => None,
            _ => Some(false),
        },
        CellStatus::Earlier { passed } => Some(*passed),
        CellStatus::Idle | CellStatus::Queued | CellStatus::Running { .. } => None,
    }
}

impl App {
    /// The verdict of step `step`; None for a step without runnable cells (nothing to judge).
    pub fn step_status(&self, step: usize) -> Option<StepStatus> {
        let mut verdicts = self
            .cells
            .iter()
            .zip(&self.runs)
            .filter(|(info, _)| info.step == Some(step) && info.runnable)
            .map(|(_, run)| verdict(&run.status))
            .peekable();
        verdicts.peek()?;
        let mut all_passed = true;
        for v in verdicts {
            match v {
                Some(false) => return Some(StepStatus::Failed),
                Some(true) => {}
                None => all_passed = false,
            }
        }
        Some(if all_passed {
            StepStatus::Done
        } else {
            StepStatus::NotRun
        })
    }

    /// Every runnable cell of the last step that has any passed: the learner reached the end.
    pub fn lesson_complete(&self) -> bool {
        (0..self.lesson.steps.len())
            .rev()
            .find_map(|s| self.step_status(s))
            == Some(StepStatus::Done)
    }
}
