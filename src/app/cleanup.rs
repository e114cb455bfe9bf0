//! Quitting after a failure: the lesson's `always=true` cells (its cleanup) are offered before
//! the TUI exits, like CI's `if: always()` steps, so a failed session leaves nothing behind.

use crate::exec::Outcome;
use crate::lesson::CellIndex;
use crate::text::Notice;

use super::action::Effect;
use super::state::{App, CellStatus};

impl App {
    /// The cleanup cells still to run because something failed (with `active`: a running
    /// cell about to be cancelled counts as failed too). Empty when nothing failed.
    pub fn pending_cleanup(&self, active: bool) -> Vec<CellIndex> {
        let failed = self.runs.iter().any(|r| match &r.status {
            CellStatus::Done { outcome, .. } => {
                !outcome.is_success() && !matches!(outcome, Outcome::Skipped { .. })
            }
            CellStatus::Earlier { passed } => !passed,
            s => active && s.is_active(),
        });
        if !failed {
            return Vec::new();
        }
        (0..self.cells.len())
            .filter(|&i| {
                let c = &self.cells[i];
                c.always && c.runnable && !c.interactive
            })
            .filter(|&i| match &self.runs[i].status {
                CellStatus::Done { outcome, .. } => !outcome.is_success(),
                s => !s.is_active(),
            })
            .collect()
    }

    /// Each cleanup cell on its own (one failing does not skip the next); quit when done.
    pub(super) fn run_cleanup(&mut self, cells: Vec<CellIndex>) -> Vec<Effect> {
        self.quit_after_cleanup = true;
        self.say(Notice::CleaningUp(cells.len()));
        if self.cluster.is_none() && cells.iter().any(|&i| self.needs_cluster(i)) {
            return vec![Effect::PrepareCluster(cells)];
        }
        self.launch_each(cells)
    }

    pub(super) fn launch_each(&mut self, cells: Vec<CellIndex>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for cell in cells {
            self.mark_queued(cell);
            let code = self.runs[cell].edited.clone();
            effects.push(Effect::Run {
                cells: vec![(cell, code)],
            });
        }
        effects
    }

    /// Once the cleanup cells finished (or could not start), the quit goes ahead.
    pub(super) fn quit_if_cleaned_up(&mut self) -> Vec<Effect> {
        if !self.quit_after_cleanup || self.runs.iter().any(|r| r.status.is_active()) {
            return Vec::new();
        }
        self.quit = true;
        vec![Effect::SaveProgress, Effect::Quit]
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::app::Action;
    use crate::app::state::Overlay;
    use crate::app::tests::finished;
    use crate::exec::ExecEvent;

    const LESSON: &str = "---\ntitle: T\n---\n## One\n\n```sh {id=make}\ntouch x\n```\n\n\
        ```sh {id=bg background=true}\nsleep 100\n```\n\n## Release\n\n\
        ```sh {id=rm always=true}\nrm -f x\n```\n\n```sh {id=kdel always=true}\n\
        kubectl delete pod p --ignore-not-found\n```\n";

    fn app() -> App {
        let lesson = crate::lesson::parse(Path::new("/tmp/c/lesson.md"), LESSON).expect("parses");
        App::new(Arc::new(lesson), false)
    }

    #[test]
    fn quitting_after_a_failure_offers_the_cleanup_cells() {
        let mut app = app();
        assert_eq!(
            app.update(Action::Quit),
            vec![Effect::SaveProgress, Effect::Quit]
        );
        let mut app = self::app();
        app.update(Action::RunFocused);
        let failed = Outcome::Failed {
            code: Some(1),
            signal: None,
        };
        app.update(finished(0, failed));
        assert_eq!(app.update(Action::Quit), Vec::new());
        assert_eq!(
            app.overlay,
            Some(Overlay::ConfirmCleanup { cells: vec![2, 3] })
        );
        // Esc stays; n quits as is.
        app.update(Action::Dismiss);
        assert!(app.overlay.is_none() && !app.quit);
        app.update(Action::Quit);
        assert_eq!(
            app.update(Action::Quit),
            vec![Effect::SaveProgress, Effect::Quit]
        );
        assert!(app.quit);
    }

    #[test]
    fn yes_runs_each_cleanup_cell_then_quits() {
        let mut app = app();
        app.cluster = Some(Default::default());
        app.update(Action::RunFocused);
        app.update(finished(0, Outcome::Cancelled));
        app.update(Action::Quit);
        assert_eq!(
            app.update(Action::Confirm),
            vec![Effect::run(vec![2]), Effect::run(vec![3])],
            "one run per cell: a failing cleanup does not skip the next"
        );
        assert!(!app.quit);
        app.update(finished(
            2,
            Outcome::Failed {
                code: Some(1),
                signal: None,
            },
        ));
        assert!(!app.quit, "the second cleanup cell is still queued");
        let effects = app.update(finished(3, Outcome::Passed));
        assert_eq!(
            effects,
            vec![Effect::SaveProgress, Effect::SaveProgress, Effect::Quit]
        );
        assert!(app.quit);
    }

    #[test]
    fn a_busy_quit_asks_both_questions_in_turn() {
        let mut app = app();
        app.cluster = Some(Default::default());
        app.update(Action::Exec(ExecEvent::JobStarted { cell: 1, pid: 1 }));
        app.update(Action::RunFocused);
        app.update(Action::Quit);
        assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
        // The running cell is about to be cancelled: that is a failure to clean up after.
        assert_eq!(app.update(Action::Confirm), vec![Effect::Cancel]);
        assert_eq!(
            app.overlay,
            Some(Overlay::ConfirmCleanup { cells: vec![2, 3] })
        );
        assert!(!app.quit);
    }

    #[test]
    fn a_cleanup_that_needs_the_cluster_asks_for_it_first() {
        let mut app = app();
        app.update(Action::RunFocused);
        app.update(finished(0, Outcome::Cancelled));
        app.update(Action::Quit);
        assert_eq!(
            app.update(Action::Confirm),
            vec![Effect::PrepareCluster(vec![2, 3])]
        );
        app.update(Action::ClusterReady {
            result: Err("no kubeconfig".into()),
            pending: vec![2, 3],
        });
        assert!(app.quit, "nothing can run: the quit goes ahead");
    }
}
