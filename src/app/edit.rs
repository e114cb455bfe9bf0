//! Editing a cell's command in `$EDITOR`: the edit is kept on the cell and runs in place of
//! the lesson's code until the learner reverts it (`E`, or saving the lesson's code again).

use crate::lesson::CellIndex;

use super::action::Effect;
use super::state::App;
use crate::lesson::mentions_cluster;

const REVERTED: &str = "Back to the lesson's command.";

impl App {
    pub(super) fn edit(&mut self) -> Vec<Effect> {
        let Some(cell) = self.focus else {
            return Vec::new();
        };
        if !self.cells[cell].runnable || self.runs[cell].status.is_active() {
            self.notice = Some("Only an idle, runnable command can be edited.".into());
            return Vec::new();
        }
        if self.cells[cell].interactive {
            // The terminal is lent to the lesson's command as written; c copies it instead.
            self.notice = Some("Interactive commands run as written; c copies one.".into());
            return Vec::new();
        }
        match self.code_of(cell) {
            Some(code) => vec![Effect::Edit { cell, code }],
            None => Vec::new(),
        }
    }

    /// `$EDITOR` came back: keep the new code and show it; Enter runs it (never at once: an
    /// edited `kubectl delete` is read before it runs). Saving the lesson's own code reverts
    /// the edit.
    pub(super) fn edited(&mut self, cell: CellIndex, code: Option<String>) -> Vec<Effect> {
        let Some(code) = code else { return Vec::new() };
        let Some(original) = self.lesson_code(cell) else {
            return Vec::new();
        };
        if code.trim_end() == original.trim_end() {
            self.runs[cell].edited = None;
            self.notice = Some(format!("{REVERTED} Enter runs it."));
        } else {
            self.runs[cell].edited = Some(code);
            self.notice = Some("Edited: Enter runs your version, E drops the edit.".into());
        }
        self.set_focus(cell);
        Vec::new()
    }

    pub(super) fn revert_edit(&mut self) {
        let run = self.focus.and_then(|f| self.runs.get_mut(f));
        match run.and_then(|r| r.edited.take()) {
            Some(_) => self.notice = Some(format!("{REVERTED} Enter runs it.")),
            None => self.notice = Some("This command has no edit to drop.".into()),
        }
    }

    /// Talks to a cluster, in the lesson's code or in the learner's edit.
    pub(crate) fn needs_cluster(&self, cell: CellIndex) -> bool {
        let edit = self.runs.get(cell).and_then(|r| r.edited.as_deref());
        self.cells.get(cell).is_some_and(|i| i.needs_cluster) || edit.is_some_and(mentions_cluster)
    }

    fn lesson_code(&self, cell: CellIndex) -> Option<String> {
        self.lesson.cells().get(cell).map(|c| c.code.clone())
    }
}
