//! Running cells: gating on the cluster confirmation and instructor typing, cancelling,
//! quitting, and folding the engine's events into the cells' state.

use crate::exec::{ExecEvent, Outcome};
use crate::lesson::CellIndex;

use super::action::{Action, Effect};
use super::state::{App, CellStatus, Job, Overlay, Reveal, Typing};
use crate::text::{self, Notice};

/// Ticks per second (the runtime's animation tick is 100 ms).
const TICKS_PER_SECOND: u32 = 10;

impl App {
    pub(super) fn run_focused(&mut self) -> Vec<Effect> {
        let Some(cell) = self.focus else {
            self.say(Notice::NoCommandHere);
            return Vec::new();
        };
        if !self.cells[cell].runnable {
            self.say(Notice::ShownNotRun);
            return Vec::new();
        }
        if self.cells[cell].interactive && self.runs[cell].term.is_some() {
            return self.term_focus_on(cell);
        }
        if self.runs[cell].status.is_active() {
            self.say(Notice::AlreadyRunning);
            return Vec::new();
        }
        self.start(vec![cell])
    }

    pub(super) fn run_step(&mut self) -> Vec<Effect> {
        let batch: Vec<CellIndex> = (0..self.cells.len())
            .filter(|&i| self.cells[i].step == Some(self.step) && self.cells[i].runnable)
            .filter(|&i| !self.cells[i].interactive && !self.runs[i].status.is_active())
            .collect();
        if batch.is_empty() {
            self.say(Notice::NothingInStep);
            return Vec::new();
        }
        self.start(batch)
    }

    /// Runs the commands of every earlier step again, in order, as one batch (a failure stops
    /// the rest: later commands depend on earlier ones).
    pub(super) fn replay_earlier(&mut self) -> Vec<Effect> {
        let last = self.last_done_step();
        let batch: Vec<CellIndex> = (0..self.cells.len())
            .filter(|&i| {
                self.cells[i]
                    .step
                    .is_some_and(|s| s < self.step || Some(s) <= last)
            })
            .filter(|&i| self.cells[i].runnable && !self.cells[i].interactive)
            .filter(|&i| !self.runs[i].status.is_active())
            .collect();
        if batch.is_empty() {
            self.say(Notice::NoReplay);
            return Vec::new();
        }
        let upto = batch
            .iter()
            .filter_map(|&i| self.cells[i].step)
            .max()
            .map_or(0, |s| s + 1);
        self.say(Notice::Replaying {
            commands: batch.len(),
            upto,
        });
        self.replaying = batch.clone();
        self.replay_total = batch.len();
        self.replay_upto = upto;
        self.start(batch)
    }

    /// The last step with a recorded verdict (this session's or an earlier one's): after a
    /// restart on that step, `R` replays it too.
    fn last_done_step(&self) -> Option<usize> {
        (0..self.cells.len())
            .filter(|&i| {
                matches!(
                    self.runs[i].status,
                    CellStatus::Earlier { .. } | CellStatus::Done { .. }
                )
            })
            .filter_map(|i| self.cells[i].step)
            .max()
    }

    /// Counts a replayed command as done; the last one, or a failure (it stops the rest),
    /// ends the replay with a notice.
    fn replay_finished(&mut self, cell: CellIndex, outcome: &Outcome) {
        let Some(at) = self.replaying.iter().position(|&i| i == cell) else {
            return;
        };
        self.replaying.remove(at);
        let passed = self.replay_total - self.replaying.len();
        let upto = self.replay_upto;
        if !outcome.is_success() && !matches!(outcome, Outcome::Skipped { .. }) {
            self.replaying.clear();
            self.say(Notice::ReplayStopped {
                id: self.cells[cell].id.clone(),
                passed: passed - 1,
                total: self.replay_total,
                upto,
            });
        } else if self.replaying.is_empty() {
            self.say(Notice::ReplayDone {
                passed,
                total: self.replay_total,
                upto,
            });
        }
    }

    /// Gate a batch on the cluster confirmation, then on instructor typing, then launch.
    pub(super) fn start(&mut self, batch: Vec<CellIndex>) -> Vec<Effect> {
        if batch.is_empty() {
            return Vec::new();
        }
        self.follow = true;
        let needs_cluster = batch.iter().any(|&i| self.needs_cluster(i));
        if needs_cluster && self.cluster.is_none() {
            return vec![Effect::PrepareCluster(batch)];
        }
        if self.quit_after_cleanup {
            return self.launch_each(batch);
        }
        if self.present && self.typing_speed.is_some() {
            self.typing = Some(Typing {
                cell: batch[0],
                shown: 0,
                batch,
            });
            return Vec::new();
        }
        self.launch(batch)
    }

    pub(super) fn launch(&mut self, batch: Vec<CellIndex>) -> Vec<Effect> {
        if let [cell] = batch[..]
            && self.cells[cell].interactive
        {
            return self.start_terminal(cell);
        }
        let unanswered = self.unanswered_prompts(&batch);
        if !unanswered.is_empty() {
            let input = unanswered[0].default.clone().unwrap_or_default();
            self.overlay = Some(Overlay::AskEnv {
                batch,
                prompts: unanswered,
                input,
            });
            return Vec::new();
        }
        let cells: Vec<(CellIndex, Option<String>)> = batch
            .iter()
            .map(|&cell| (cell, self.code_with_answers(cell)))
            .collect();
        for &cell in &batch {
            self.mark_queued(cell);
        }
        vec![Effect::Run { cells }]
    }

    /// The `export NAME=...` prompts of `batch` (Runme's promptEnv) not answered yet in this
    /// session, each name once. A value already in kubetutor's environment needs no question:
    /// the rewritten export line takes it, as a headless run does.
    fn unanswered_prompts(&self, batch: &[CellIndex]) -> Vec<crate::lesson::EnvPrompt> {
        let cells = self.lesson.cells();
        let mut out: Vec<crate::lesson::EnvPrompt> = Vec::new();
        for p in batch
            .iter()
            .filter_map(|&c| cells.get(c))
            .flat_map(|c| &c.attrs.prompts)
        {
            let known = self.env_answers.contains_key(&p.name)
                || std::env::var_os(&p.name).is_some()
                || out.iter().any(|q| q.name == p.name);
            if !known {
                out.push(p.clone());
            }
        }
        out
    }

    /// The code `cell` runs: the learner's edit, else the lesson's only when answers must go in
    /// front of it (`NAME='value'`, which the rewritten `export NAME="${NAME:-...}"` picks up).
    fn code_with_answers(&self, cell: CellIndex) -> Option<String> {
        let edited = self.runs[cell].edited.clone();
        let prompts = self.lesson.cells().get(cell).map(|c| &c.attrs.prompts)?;
        let given: Vec<String> = prompts
            .iter()
            .filter_map(|p| {
                let value = self.env_answers.get(&p.name)?;
                let quoted = crate::exec::shell_quote(std::ffi::OsStr::new(value));
                Some(format!("{}={}\n", p.name, String::from_utf8_lossy(&quoted)))
            })
            .collect();
        if given.is_empty() {
            return edited;
        }
        let code = edited.or_else(|| self.code_of(cell))?;
        Some(format!("{}{code}", given.concat()))
    }

    /// A key while the lesson asks for a value: type it, Enter gives it (the next question,
    /// or the run), Esc runs nothing.
    pub(super) fn update_ask_env(
        &mut self,
        batch: Vec<CellIndex>,
        mut prompts: Vec<crate::lesson::EnvPrompt>,
        mut input: String,
        action: Action,
    ) -> Vec<Effect> {
        match action {
            Action::TypeChar(c) => input.push(c),
            Action::EraseChar => {
                input.pop();
            }
            Action::Confirm => {
                let answered = prompts.remove(0);
                self.env_answers.insert(answered.name, input);
                if prompts.is_empty() {
                    self.overlay = None;
                    return self.launch(batch);
                }
                input = prompts[0].default.clone().unwrap_or_default();
            }
            Action::Cancel | Action::Dismiss => {
                self.overlay = None;
                self.say(Notice::NeedsEnv(prompts[0].name.clone()));
                return Vec::new();
            }
            _ => {}
        }
        self.overlay = Some(Overlay::AskEnv {
            batch,
            prompts,
            input,
        });
        Vec::new()
    }

    /// A notice in the interface's language.
    pub(super) fn say(&mut self, notice: Notice) {
        self.notice = Some(text::of(self.lang).notice(&notice));
    }

    pub(super) fn mark_queued(&mut self, cell: CellIndex) {
        let run = &mut self.runs[cell];
        run.status = CellStatus::Queued;
        run.ran_edited = run.edited.is_some();
        run.output.clear();
        run.scroll = 0;
    }

    pub(super) fn cancel(&mut self) -> Vec<Effect> {
        if self.typing.take().is_some() {
            self.say(Notice::Cancelled);
            return Vec::new();
        }
        if !self.runs.iter().any(|r| r.status.is_active()) {
            self.say(Notice::NothingRunning);
            return Vec::new();
        }
        for run in &mut self.runs {
            if run.status == CellStatus::Queued {
                run.status = CellStatus::Idle;
            }
        }
        self.say(Notice::Cancelling);
        vec![Effect::Cancel]
    }

    pub(super) fn copy(&mut self) -> Vec<Effect> {
        match self.focus.and_then(|f| self.code_of(f)) {
            Some(code) => {
                self.say(Notice::Copied);
                vec![Effect::Copy(code)]
            }
            None => Vec::new(),
        }
    }

    pub(super) fn quit(&mut self) -> Vec<Effect> {
        if self.busy() {
            self.overlay = Some(Overlay::ConfirmQuit);
            return Vec::new();
        }
        let cleanup = self.pending_cleanup(false);
        if !cleanup.is_empty() {
            self.overlay = Some(Overlay::ConfirmCleanup { cells: cleanup });
            return Vec::new();
        }
        self.quit = true;
        vec![Effect::SaveProgress, Effect::Quit]
    }

    pub(super) fn tick(&mut self) -> Vec<Effect> {
        self.spinner = self.spinner.wrapping_add(1);
        let speed = self.typing_speed.unwrap_or(u32::MAX);
        let per_tick = speed.div_ceil(TICKS_PER_SECOND).max(1) as usize;
        self.type_more(per_tick)
    }

    /// A key in present mode while a command is typed out: the rest of it appears at once,
    /// so the presenter is never held up by the animation.
    pub(super) fn skip_typing(&mut self) -> Vec<Effect> {
        self.type_more(usize::MAX)
    }

    fn type_more(&mut self, chars: usize) -> Vec<Effect> {
        let Some(cell) = self.typing.as_ref().map(|t| t.cell) else {
            return Vec::new();
        };
        let len = self.code_of(cell).map_or(0, |c| c.chars().count());
        let Some(typing) = &mut self.typing else {
            return Vec::new();
        };
        typing.shown = typing.shown.saturating_add(chars);
        if typing.shown < len {
            return Vec::new();
        }
        let pos = typing
            .batch
            .iter()
            .position(|&c| c == typing.cell)
            .unwrap_or(0);
        if let Some(&next) = typing.batch.get(pos + 1) {
            typing.cell = next;
            typing.shown = 0;
            return Vec::new();
        }
        let batch = self.typing.take().map(|t| t.batch).unwrap_or_default();
        self.launch(batch)
    }

    pub(super) fn exec_event(&mut self, event: ExecEvent) -> Vec<Effect> {
        let now = self.now;
        match event {
            ExecEvent::Started { cell, attempt } => {
                let Some(run) = self.runs.get_mut(cell) else {
                    return Vec::new();
                };
                run.status = CellStatus::Running {
                    since: now,
                    attempt,
                };
                // A verify retry is the same cell still at work: its effects keep accruing.
                if attempt <= 1 {
                    self.effects.cell_started(cell, self.wall);
                }
                // A verify retry: the earlier attempt's output (`Connection refused` while a
                // server starts) is noise once the next one runs; the frame shows the attempt.
                if attempt > 1 {
                    run.output.clear();
                    run.scroll = 0;
                }
                self.set_focus(cell);
                if self.follow {
                    self.reveal = Some(Reveal::CellEnd(cell));
                }
            }
            ExecEvent::Output { cell, bytes, .. } => {
                let Some(run) = self.runs.get_mut(cell) else {
                    return Vec::new();
                };
                let before = run.output.len();
                run.output.push(&bytes);
                if run.scroll > 0 {
                    // Keep the learner's place while they read older output.
                    run.scroll += run.output.len().saturating_sub(before);
                } else if self.follow && self.focus == Some(cell) {
                    self.reveal = Some(Reveal::CellEnd(cell));
                }
            }
            ExecEvent::Finished {
                cell,
                outcome,
                duration,
            } => {
                let was_complete = self.lesson_complete();
                let Some(run) = self.runs.get_mut(cell) else {
                    return Vec::new();
                };
                run.status = CellStatus::Done {
                    outcome: outcome.clone(),
                    duration,
                };
                self.effects.cell_finished(cell, self.wall);
                self.term_ended(cell);
                if self.follow && self.focus == Some(cell) {
                    // The verdict and a failure's hint are the frame's last lines.
                    self.reveal = Some(Reveal::CellEnd(cell));
                } else if !outcome.is_success() && !matches!(outcome, Outcome::Skipped { .. }) {
                    self.reveal = Some(Reveal::Cell(cell));
                }
                self.replay_finished(cell, &outcome);
                // capture= changes nothing on screen: say where the output went.
                let captured = match &self.lesson.cells()[cell].attrs.capture {
                    Some(var) if outcome.is_success() => Some(var.clone()),
                    _ => None,
                };
                if captured.is_none()
                    && self.notice == Some(text::of(self.lang).notice(&Notice::Cancelling))
                    && !self.animating()
                {
                    self.notice = None;
                }
                let completed =
                    (!was_complete && self.lesson_complete()).then(|| self.completion_summary());
                match (captured, completed) {
                    (Some(var), complete) => self.say(Notice::Captured {
                        cell: self.cells[cell].id.clone(),
                        var,
                        complete: complete.map(Box::new),
                    }),
                    (None, Some(summary)) => self.say(Notice::LessonComplete(Box::new(summary))),
                    (None, None) => {}
                }
                self.last_result = Some((cell, outcome));
                let mut effects = vec![Effect::SaveProgress];
                // The cell may have started a sentinel itself (`redis-sentinel --daemonize`).
                if self.sentinel.is_some() {
                    effects.push(Effect::WakeSentinel);
                }
                effects.extend(self.quit_if_cleaned_up());
                return effects;
            }
            ExecEvent::JobStarted { cell, pid } => {
                if let Some(run) = self.runs.get_mut(cell) {
                    run.job = Some(Job {
                        pid,
                        since: now,
                        exited: None,
                        ports: Vec::new(),
                    });
                    self.panes.jobs = true;
                }
                if self.sentinel.is_some() {
                    return vec![Effect::WakeSentinel];
                }
            }
            ExecEvent::JobExited { cell, code } => {
                if let Some(job) = self.runs.get_mut(cell).and_then(|r| r.job.as_mut()) {
                    job.exited = Some(code);
                }
            }
            ExecEvent::Terminal { cell, bytes } => self.term_output(cell, &bytes),
            ExecEvent::TermText { cell, text } => self.term_text(cell, &text),
        }
        Vec::new()
    }
}
