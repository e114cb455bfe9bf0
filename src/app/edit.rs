//! Editing a cell's command in `$EDITOR`: the edit is kept on the cell and runs in place of
//! the lesson's code until the learner reverts it (`E`, or saving the lesson's code again).

use crate::lesson::CellIndex;
use crate::text::Notice;

use super::action::Effect;
use super::state::App;
use crate::lesson::mentions_cluster;

impl App {
    pub(super) fn edit(&mut self) -> Vec<Effect> {
        let Some(cell) = self.focus else {
            return Vec::new();
        };
        if !self.cells[cell].runnable || self.runs[cell].status.is_active() {
            self.say(Notice::EditNeedsIdle);
            return Vec::new();
        }
        if self.cells[cell].interactive {
            // The terminal is lent to the lesson's command as written; c copies it instead.
            self.say(Notice::EditInteractive);
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
            self.say(Notice::EditReverted);
        } else {
            self.runs[cell].edited = Some(code);
            self.say(Notice::Edited);
        }
        self.set_focus(cell);
        Vec::new()
    }

    pub(super) fn revert_edit(&mut self) {
        let run = self.focus.and_then(|f| self.runs.get_mut(f));
        match run.and_then(|r| r.edited.take()) {
            Some(_) => self.say(Notice::EditReverted),
            None => self.say(Notice::NoEditToDrop),
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
