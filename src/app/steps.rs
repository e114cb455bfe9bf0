//! Where the learner is: each step's verdict from its cells' statuses, and whether the lesson
//! is complete. Computed on demand from `runs` (a few hundred cells at most per frame) so no
//! second copy of the verdicts can drift from the cells'.

use super::state::{App, CellStatus};
use crate::exec::Outcome;
use crate::text::Completion;

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

    /// Runnable cells of step `step` that passed (now or earlier), and how many it has.
    pub fn step_progress(&self, step: usize) -> (usize, usize) {
        let cells = self
            .cells
            .iter()
            .zip(&self.runs)
            .filter(|(info, _)| info.step == Some(step) && info.runnable);
        let (mut passed, mut total) = (0, 0);
        for (_, run) in cells {
            total += 1;
            passed += usize::from(verdict(&run.status) == Some(true));
        }
        (passed, total)
    }

    /// What the learner did, said once when the lesson becomes complete: steps, cells, the
    /// time the cells ran, and the failover the panes measured (when there was one).
    pub fn completion_summary(&self) -> Completion {
        let steps = self.lesson.steps.len();
        let judged = (0..steps)
            .filter(|&s| self.step_status(s).is_some())
            .count();
        let done = (0..steps)
            .filter(|&s| self.step_status(s) == Some(StepStatus::Done))
            .count();
        let (mut passed, mut ran) = (0, std::time::Duration::ZERO);
        for (info, run) in self.cells.iter().zip(&self.runs) {
            if let CellStatus::Done { outcome, duration } = &run.status {
                ran += *duration;
                passed += usize::from(info.runnable && outcome.is_success());
            }
        }
        let ran = humantime::format_duration(std::time::Duration::from_secs(ran.as_secs()));
        let view = self.sentinel.as_ref();
        let failover = view.and_then(|v| v.failover.last.as_ref()).map(|f| {
            let secs = format!("{:.2}", f.duration.as_secs_f64());
            (f.old.to_string(), f.new.to_string(), secs)
        });
        let unavailable = view.and_then(|v| {
            let outage = v.outage.as_ref().filter(|o| o.to.is_some())?;
            Some(format!("{:.2}", outage.length(v.now).as_secs_f64()))
        });
        Completion {
            done,
            judged,
            passed,
            ran: ran.to_string(),
            failover,
            unavailable,
        }
    }

    /// Every runnable cell of the last step that has any passed: the learner reached the end.
    pub fn lesson_complete(&self) -> bool {
        (0..self.lesson.steps.len())
            .rev()
            .find_map(|s| self.step_status(s))
            == Some(StepStatus::Done)
    }
}
