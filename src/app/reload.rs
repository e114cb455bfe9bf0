//! The lesson file changed on disk (an author editing in another window): the new version
//! replaces the old in place. Cells are matched by id, so progress, outputs, edits and live
//! jobs stay with their cell; a cell whose code changed loses its verdict (it was for other
//! code). It waits while anything runs or is queued, and while a live job's cell would move
//! (the engine's jobs keep their index); front matter changes need a restart (the cluster
//! target, namespace and panes were set up from it).

use std::collections::HashMap;
use std::sync::Arc;

use super::action::Effect;
use super::state::{App, CellInfo, CellRun, CellStatus, Overlay, Reveal};
use crate::lesson::{CellIndex, Lesson};
use crate::text::{Notice, ReloadWait};

impl App {
    /// A new version of the lesson was read (and parsed) from its file.
    pub(super) fn lesson_changed(&mut self, lesson: Arc<Lesson>) -> Vec<Effect> {
        if lesson.meta != self.lesson.meta {
            self.pending_reload = None;
            self.say(Notice::FrontMatterChanged);
            return Vec::new();
        }
        if let Some(why) = self.reload_blocked(&lesson) {
            self.say(Notice::ReloadWaits(why));
            self.pending_reload = Some(lesson);
            return Vec::new();
        }
        self.reload(lesson)
    }

    /// A reload that waited: applied once nothing stands in its way.
    pub(super) fn reload_if_ready(&mut self) -> Vec<Effect> {
        let ready = self
            .pending_reload
            .as_ref()
            .is_some_and(|l| self.reload_blocked(l).is_none());
        match self.pending_reload.take() {
            Some(lesson) if ready => self.reload(lesson),
            pending => {
                self.pending_reload = pending;
                Vec::new()
            }
        }
    }

    /// Why `lesson` cannot replace the current one now.
    fn reload_blocked(&self, lesson: &Lesson) -> Option<ReloadWait> {
        let running = self.runs.iter().any(|r| r.status.is_active())
            || self.typing.is_some()
            || self.term_focus.is_some()
            || self.runs.iter().any(|r| r.term.is_some());
        let asking = matches!(
            self.overlay,
            Some(
                Overlay::AskEnv { .. }
                    | Overlay::ConfirmCluster { .. }
                    | Overlay::ConfirmCleanup { .. }
                    | Overlay::ConfirmQuit
            )
        );
        if running || asking {
            return Some(ReloadWait::RunningCommand);
        }
        let cells = lesson.cells();
        for (index, run) in self.runs.iter().enumerate() {
            let live = run.job.as_ref().is_some_and(|j| j.exited.is_none());
            let id = &self.cells[index].id;
            if live && cells.get(index).map(|c| &c.id) != Some(id) {
                return Some(ReloadWait::Job(id.clone()));
            }
        }
        None
    }

    fn reload(&mut self, lesson: Arc<Lesson>) -> Vec<Effect> {
        let cells = CellInfo::of(&lesson);
        let old_index: HashMap<&str, CellIndex> = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let moved: Vec<Option<CellIndex>> = cells
            .iter()
            .map(|c| old_index.get(c.id.as_str()).copied())
            .collect();
        let mut old_runs: Vec<Option<CellRun>> = std::mem::take(&mut self.runs)
            .into_iter()
            .map(Some)
            .collect();
        let (old_cells, new_cells) = (self.lesson.cells(), lesson.cells());
        let (mut changed, mut added) = (0, 0);
        let mut runs = Vec::with_capacity(cells.len());
        for (new, from) in moved.iter().enumerate() {
            let Some(old) = *from else {
                added += 1;
                runs.push(CellRun::default());
                continue;
            };
            let mut run = old_runs[old].take().unwrap_or_default();
            if old_cells[old].code != new_cells[new].code {
                changed += 1;
                // The verdict and output were for other code; a live job keeps running.
                run.status = CellStatus::Idle;
                run.output.clear();
                run.scroll = 0;
            }
            runs.push(run);
        }
        let removed = old_runs.iter().filter(|r| r.is_some()).count();
        let to_new: HashMap<CellIndex, CellIndex> = moved
            .iter()
            .enumerate()
            .filter_map(|(new, old)| Some(((*old)?, new)))
            .collect();
        let steps = lesson.steps.len();
        self.effects
            .remap(&|c| to_new.get(&c).copied(), &|s| (s < steps).then_some(s));
        self.focus = self
            .focus
            .and_then(|f| to_new.get(&f).copied())
            .or((!cells.is_empty()).then_some(0));
        self.last_result = self
            .last_result
            .take()
            .and_then(|(c, o)| Some((*to_new.get(&c)?, o)));
        self.step = self.step.min(steps.saturating_sub(1));
        if let Some(Overlay::Steps { selected, .. }) = &mut self.overlay {
            *selected = (*selected).min(steps.saturating_sub(1));
        }
        self.cells = cells;
        self.runs = runs;
        self.lesson = lesson.clone();
        self.reveal = self.focus.map(Reveal::Cell);
        self.notice = Some(match (changed, added, removed) {
            (0, 0, 0) => "Lesson reloaded from its file.".to_string(),
            _ => format!(
                "Lesson reloaded: {changed} command(s) changed (their results cleared), {added} new, {removed} removed."
            ),
        });
        vec![Effect::Reloaded(lesson), Effect::SaveProgress]
    }
}
