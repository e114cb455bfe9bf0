//! `App::update`: every state change goes through here (typed action in, effects out).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::text::Notice;

use crate::exec::term_emulator::TermSize;
use crate::lesson::{CellIndex, Lesson, mentions_cluster};

use super::action::{Action, Effect};
use super::pods_view::PodsView;
use super::progress::Loaded;
use super::state::{
    App, CellInfo, CellRun, CellStatus, ClusterTarget, EXPANDED_LINES, FOLD_LINES, Geometry,
    NOTICES_KEPT, Overlay, Pane, PaneLayout, Reveal, Search, UiLang,
};
use crate::effects::{Attribution, Observed};
use crate::kube::model::PodsUpdate;
use crate::sentinel::{Health, SentinelUpdate, SentinelView};

/// Characters per second present mode types a command at, unless `--typing-speed` says.
pub const DEFAULT_TYPING_SPEED: u32 = 30;

impl CellInfo {
    /// What the app keeps of each cell of `lesson`.
    pub fn of(lesson: &Lesson) -> Vec<CellInfo> {
        let steps = lesson.cell_steps();
        lesson
            .cells()
            .iter()
            .zip(steps)
            .map(|(cell, step)| CellInfo {
                step,
                id: cell.id.clone(),
                runnable: cell.is_runnable(),
                interactive: cell.attrs.interactive,
                background: cell.attrs.background,
                always: cell.attrs.always,
                needs_cluster: mentions_cluster(&cell.code),
                hint: cell.hint.clone(),
            })
            .collect()
    }
}

impl App {
    pub fn new(lesson: Arc<Lesson>, present: bool) -> Self {
        let cells = CellInfo::of(&lesson);
        let runs = cells.iter().map(|_| CellRun::default()).collect();
        let focus = (!cells.is_empty()).then_some(0);
        let mut panes = PaneLayout::default();
        panes.pods = lesson.meta.panes.pods.is_some();
        panes.sentinel = lesson.meta.panes.sentinel.is_some();
        panes.jobs = cells.iter().any(|c| c.background);
        let lang = UiLang::of_lesson(&lesson.path);
        let words = crate::text::of(lang);
        let pods_state = words.notice(&match &lesson.meta.panes.pods {
            Some(_) => Notice::PodsStartWithCluster,
            None => Notice::PodsNotUsed,
        });
        let pods_scope = match &lesson.meta.panes.pods {
            Some(p) => pods_scope(
                lesson.meta.namespace.as_deref().unwrap_or("default"),
                p.selector.as_deref(),
            ),
            None => String::new(),
        };
        let sentinel_state = words.notice(&match &lesson.meta.panes.sentinel {
            Some(s) => Notice::SentinelWaiting(match (&s.address, &s.service) {
                (Some(addr), _) => addr.clone(),
                (None, Some(svc)) => format!("service {svc}:{}", s.port),
                (None, None) => format!("127.0.0.1:{}", s.port),
            }),
            None => Notice::SentinelNotUsed,
        });
        Self {
            lesson,
            cells,
            runs,
            step: 0,
            focus,
            scroll: 0,
            reveal: None,
            follow: true,
            overlay: None,
            lang,
            search: None,
            env_answers: Default::default(),
            pending_reload: None,
            workshop_unpublished: false,
            panes,
            geometry: Geometry::default(),
            cluster: None,
            last_result: None,
            notice: None,
            notices: VecDeque::new(),
            replaying: Vec::new(),
            replay_total: 0,
            replay_upto: 0,
            pods_state,
            sentinel_state,
            pods: None,
            pods_scope,
            sentinel: None,
            effects: Attribution::new(),
            present,
            typing_speed: Some(DEFAULT_TYPING_SPEED),
            typing: None,
            term_focus: None,
            term_size: TermSize::default(),
            script: None,
            now: Instant::now(),
            wall: SystemTime::now(),
            spinner: 0,
            ports_probed: None,
            dirty: true,
            quit: false,
            quit_after_cleanup: false,
        }
    }

    /// Whether something on screen changes by itself (spinner, elapsed time, typing).
    pub fn animating(&self) -> bool {
        self.typing.is_some() || self.runs.iter().any(|r| r.status.is_active())
    }

    pub fn busy(&self) -> bool {
        self.animating() || self.jobs_alive() > 0
    }

    pub fn jobs_alive(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| r.job.as_ref().is_some_and(|j| j.exited.is_none()))
            .count()
    }

    /// The code a cell runs: the learner's edit when there is one.
    pub fn code_of(&self, cell: CellIndex) -> Option<String> {
        if let Some(code) = self.runs.get(cell).and_then(|r| r.edited.clone()) {
            return Some(code);
        }
        self.lesson.cells().get(cell).map(|c| c.code.clone())
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let before = self.notice.clone();
        let mut effects = self.apply(action);
        if self.pending_reload.is_some() {
            effects.extend(self.reload_if_ready());
        }
        if self.notice.is_some() && self.notice != before {
            self.remember_notice();
        }
        effects
    }

    /// Every new notice goes to the history `!` shows (its text may be cut in the status bar).
    fn remember_notice(&mut self) {
        let Some(text) = self.notice.clone() else {
            return;
        };
        if self.notices.back() != Some(&text) {
            self.notices.push_back(text);
        }
        while self.notices.len() > NOTICES_KEPT {
            self.notices.pop_front();
        }
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        if let Action::Laid(geometry) = action {
            // Part of drawing a frame already due: taking the geometry must not ask for another.
            self.geometry = geometry;
            self.search_landed();
            if let Some(reveal) = self.reveal.take() {
                self.scroll = self.geometry.reveal(self.scroll, reveal);
            }
            self.scroll = self.scroll.min(self.geometry.max_scroll());
            // Interactive cells' terminals take the size of their frame.
            return self.term_fit();
        }
        let was_dirty = std::mem::replace(&mut self.dirty, true);
        if is_user_input(&action) {
            self.notice = None;
        }
        let modal =
            is_user_input(&action) && !matches!(action, Action::Click { .. } | Action::Resized);
        if let Some(overlay) = self.overlay.clone().filter(|_| modal) {
            return self.update_overlay(overlay, action);
        }
        if moves_by_hand(&action) {
            self.follow = false;
        }
        match action {
            Action::ScrollDown(n) => self.scroll_to(self.scroll.saturating_add(n)),
            Action::ScrollUp(n) => self.scroll_to(self.scroll.saturating_sub(n)),
            Action::PageDown => self.scroll_to(self.scroll + self.page()),
            Action::PageUp => self.scroll_to(self.scroll.saturating_sub(self.page())),
            Action::Top => self.scroll_to(0),
            Action::Bottom => self.scroll_to(self.geometry.max_scroll()),
            // While a search is kept, n goes to its next match (as in less and vim).
            Action::NextStep if self.search.is_some() => self.search_next(1),
            Action::NextStep => self.go_step(self.step.saturating_add(1)),
            Action::PrevStep => self.go_step(self.step.saturating_sub(1)),
            Action::NextCell => self.focus_cell(self.focus.map_or(0, |f| f + 1)),
            Action::PrevCell => self.focus_cell(self.focus.map_or(0, |f| f.saturating_sub(1))),
            Action::RunFocused => return self.run_focused(),
            Action::RunStep => return self.run_step(),
            Action::ReplayEarlier => return self.replay_earlier(),
            Action::Cancel => return self.cancel(),
            Action::Copy => return self.copy(),
            Action::Export => return self.export(),
            Action::LessonChanged(lesson) => return self.lesson_changed(lesson),
            Action::WorkshopUnpublished(failing) => self.workshop_unpublished = failing,
            Action::LessonBroken(problem) => {
                self.say(Notice::NotReloaded(problem));
            }
            Action::Edit => return self.edit(),
            Action::RevertEdit => self.revert_edit(),
            Action::ToggleHelp => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::ShowNotices => self.overlay = Some(Overlay::Notices),
            Action::ShowSteps if self.lesson.steps.is_empty() => {
                self.say(Notice::NoSteps);
            }
            Action::ShowSteps => {
                self.overlay = Some(Overlay::Steps {
                    selected: self.step,
                    typed: String::new(),
                });
            }
            Action::Quit => return self.quit(),
            Action::SearchStart => {
                self.follow = false;
                self.overlay = Some(Overlay::Search);
                self.search = Some(Search {
                    anchor: self.scroll,
                    ..Search::default()
                });
            }
            Action::SearchNext(delta) => self.search_next(delta),
            Action::Dismiss if self.search.is_some() => {
                self.search = None;
                self.say(Notice::SearchCleared);
            }
            // Only the step list and the search prompt take these (update_overlay).
            Action::Confirm
            | Action::Dismiss
            | Action::TypeChar(_)
            | Action::EraseChar
            | Action::HelpScroll { .. }
            | Action::ListMove(_)
            | Action::ListDigit(_)
            | Action::ListErase => {}
            Action::TogglePane(pane) => self.toggle_pane(pane),
            Action::ResizeSplit(delta) => {
                let p = i32::from(self.panes.lesson_percent) + i32::from(delta);
                self.panes.lesson_percent = p.clamp(30, 85) as u16;
            }
            Action::OutputScroll(delta) => self.scroll_output(delta),
            Action::ToggleWrap => self.toggle_wrap(),
            Action::OutputPan(delta) => self.pan_output(delta),
            Action::ToggleExpand => {
                if let Some(run) = self.focus.and_then(|f| self.runs.get_mut(f)) {
                    run.expanded = !run.expanded;
                    run.scroll = 0;
                }
            }
            Action::StopJob => return self.stop_job(),
            Action::Click { column, row } => self.click(column, row),
            Action::Resized => self.reveal = self.focus.map(Reveal::Cell),
            Action::Tick => return self.tick(),
            Action::SkipTyping => return self.skip_typing(),
            Action::Exec(event) => return self.exec_event(event),
            Action::ClusterReady { result, pending } => match result {
                Ok(target) => self.overlay = Some(Overlay::ConfirmCluster { target, pending }),
                Err(message) => self.cluster_unusable(&message),
            },
            Action::ClusterConfirmed {
                target,
                result,
                pending,
            } => return self.cluster_confirmed(target, result, pending),
            Action::Edited { cell, code } => return self.edited(cell, code),
            Action::Notice(text) => self.notice = Some(text),
            Action::Say(notice) => self.say(notice),
            // A state line replaces the live view (e.g. its connection could not be set up).
            Action::PodsState(text) => {
                self.pods_state = text;
                self.pods = None;
            }
            Action::SentinelState(text) => {
                self.sentinel_state = text;
                self.sentinel = None;
            }
            Action::Pods(update) => {
                self.observe_pods(&update);
                if let Some(pods) = &mut self.pods {
                    pods.apply(update, self.wall);
                }
                self.join_roles();
            }
            Action::Sentinel(update) => {
                if let SentinelUpdate::Event { at, event, .. } = &update {
                    self.effects
                        .observe(Observed::sentinel(event, *at), self.step);
                }
                // Waiting for a sentinel the lesson has not started: each failed attempt
                // changes nothing on screen, and must not cost a frame.
                let waiting = |v: &Option<SentinelView>| {
                    v.as_ref()
                        .is_some_and(|v| matches!(v.health(), Health::Waiting { .. }))
                };
                let unseen =
                    matches!(update, SentinelUpdate::Link { .. }) && waiting(&self.sentinel);
                if let Some(view) = &mut self.sentinel {
                    view.apply(update, self.wall);
                }
                if unseen && waiting(&self.sentinel) {
                    self.dirty = was_dirty;
                }
                self.join_roles();
                return self.probe_job_ports();
            }
            Action::JobPorts(found) => {
                for (cell, pid, ports) in found {
                    let job = self.runs.get_mut(cell).and_then(|r| r.job.as_mut());
                    // The same job still: a restarted cell has a new pid.
                    if let Some(job) = job.filter(|j| j.pid == pid) {
                        job.ports = ports;
                    }
                }
            }
            Action::Observed(observed) => self.effects.observe(observed, self.step),
            Action::PaneTimer => {
                if let Some(pods) = &mut self.pods {
                    pods.expire(self.wall);
                }
            }
            Action::TermInput(bytes) => return self.term_input(bytes),
            Action::TermPaste(text) => return self.term_paste(&text),
            Action::TermLeave => self.term_leave(),
            Action::Started => return self.started(),
            Action::ProgressLoaded(loaded) => self.progress_loaded(loaded),
            Action::Laid(_) => {} // taken above, before anything is marked dirty
        }
        Vec::new()
    }

    /// A pods-watch update as an effect, diffed against the row shown so far. The first list
    /// (and a relist after a reconnect) is the starting picture, not something a cell did.
    fn observe_pods(&mut self, update: &PodsUpdate) {
        let Some(pods) = self.pods.as_ref().filter(|p| p.has_listed()) else {
            return;
        };
        let observed = match update {
            PodsUpdate::Applied(row) => Observed::pod(pods.live(&row.name), row, self.wall),
            PodsUpdate::Deleted(name) => pods
                .live(name)
                .map(|_| Observed::pod_deleted(name, self.wall)),
            PodsUpdate::Listed(_) | PodsUpdate::Connection(_) => None,
        };
        if let Some(observed) = observed {
            self.effects.observe(observed, self.step);
        }
    }

    /// The lesson opened: a sentinel reached by address needs no cluster, watch it at once.
    fn started(&mut self) -> Vec<Effect> {
        let local = (self.lesson.meta.panes.sentinel.as_ref())
            .and_then(|pane| Some((pane.master.clone(), pane.address.clone()?)));
        match local {
            Some((master, address)) => {
                let mut view = SentinelView::new(master, self.wall);
                view.expected = self.sentinel_origin(&address);
                self.sentinel = Some(view);
                vec![Effect::StartLocalSentinel]
            }
            None => Vec::new(),
        }
    }

    /// The views of the panes that watch the confirmed cluster, and the effect that starts
    /// their watchers (once: a sentinel already watched by address is left alone).
    fn cluster_panes(&mut self, target: &ClusterTarget) -> Vec<Effect> {
        let panes = &self.lesson.meta.panes;
        let pods = panes.pods.as_ref().map(|p| p.selector.clone());
        let sentinel = (panes.sentinel.as_ref())
            .filter(|p| p.service.is_some() && self.sentinel.is_none())
            .map(|p| p.master.clone());
        if let Some(selector) = &pods {
            self.pods = Some(PodsView::new());
            self.pods_scope = pods_scope(&target.namespace, selector.as_deref());
        }
        if let Some(master) = &sentinel {
            self.sentinel = Some(SentinelView::new(master.clone(), self.wall));
        }
        if pods.is_none() && sentinel.is_none() {
            return Vec::new();
        }
        vec![Effect::StartClusterPanes {
            pods: pods.is_some(),
            sentinel: sentinel.is_some(),
        }]
    }

    fn progress_loaded(&mut self, loaded: Loaded) {
        match loaded {
            Loaded::Fresh => {}
            Loaded::Restored(p) => {
                self.restore(&p);
                let step = self.step;
                self.say(match step {
                    0 => Notice::WelcomeBack,
                    _ => Notice::WelcomeBackAt(step + 1),
                });
            }
            Loaded::Corrupt { moved_to, reason } => {
                tracing::warn!(%reason, moved_to = %moved_to.display(), "corrupt progress set aside");
                self.say(Notice::ProgressCorrupt(moved_to.display().to_string()));
            }
        }
    }

    /// The cluster panes would otherwise keep waiting for a confirmation.
    fn cluster_unusable(&mut self, message: &str) {
        if self.panes.pods {
            self.pods_state = format!("pods: {message}");
        }
        let sentinel = self.lesson.meta.panes.sentinel.as_ref();
        if sentinel.is_some_and(|s| s.address.is_none() && s.service.is_some()) {
            self.sentinel_state = format!("sentinel: {message}");
        }
        self.say(Notice::NotRun(message.to_string()));
        // A cleanup before quitting that cannot reach the cluster: quit anyway.
        if self.quit_after_cleanup && !self.animating() {
            self.quit = true;
        }
    }

    fn cluster_confirmed(
        &mut self,
        target: ClusterTarget,
        result: Result<bool, String>,
        pending: Vec<CellIndex>,
    ) -> Vec<Effect> {
        match result {
            Ok(created) => {
                self.notice = created.then(|| format!("Created namespace {}.", target.namespace));
                let mut effects = self.cluster_panes(&target);
                self.cluster = Some(target);
                effects.extend(self.start(pending));
                effects
            }
            Err(message) => {
                self.cluster_unusable(&message);
                Vec::new()
            }
        }
    }

    fn update_overlay(&mut self, overlay: Overlay, action: Action) -> Vec<Effect> {
        match (overlay, action) {
            (
                Overlay::AskEnv {
                    batch,
                    prompts,
                    input,
                },
                action,
            ) => self.update_ask_env(batch, prompts, input, action),
            (Overlay::Search, action) => {
                self.update_search_prompt(action);
                Vec::new()
            }
            (Overlay::Steps { selected, typed }, action) => {
                self.update_step_list(selected, typed, action);
                Vec::new()
            }
            (Overlay::Help { scroll }, Action::HelpScroll { delta, rows }) => {
                // The box is the screen's height less the status bar and its frame.
                let room = usize::from(self.geometry.viewport.3)
                    .saturating_sub(1)
                    .max(1);
                let next = i64::try_from(scroll).unwrap_or(0) + i64::from(delta);
                let scroll = usize::try_from(next.max(0))
                    .unwrap_or(0)
                    .min(rows.saturating_sub(room));
                self.overlay = Some(Overlay::Help { scroll });
                Vec::new()
            }
            (Overlay::Help { .. } | Overlay::Notices, Action::Cancel) => Vec::new(),
            (Overlay::Help { .. } | Overlay::Notices, _) => {
                self.overlay = None;
                Vec::new()
            }
            (Overlay::ConfirmQuit, Action::Confirm | Action::Quit) => {
                self.overlay = None;
                let cleanup = self.pending_cleanup(true);
                if !cleanup.is_empty() {
                    self.settle_queued();
                    self.overlay = Some(Overlay::ConfirmCleanup { cells: cleanup });
                    return vec![Effect::Cancel];
                }
                self.quit = true;
                vec![Effect::Cancel, Effect::SaveProgress, Effect::Quit]
            }
            (Overlay::ConfirmCleanup { cells }, Action::Confirm) => {
                self.overlay = None;
                self.run_cleanup(cells)
            }
            (Overlay::ConfirmCleanup { .. }, Action::Quit) => {
                self.overlay = None;
                self.quit = true;
                vec![Effect::SaveProgress, Effect::Quit]
            }
            (Overlay::ConfirmCluster { target, pending }, Action::Confirm) => {
                self.overlay = None;
                self.say(Notice::Connecting(target.context.clone()));
                vec![Effect::ConfirmCluster { target, pending }]
            }
            (Overlay::ConfirmCluster { .. }, Action::Dismiss | Action::Quit) => {
                self.overlay = None;
                self.say(Notice::ClusterNotConfirmed);
                self.quit_if_cleaned_up()
            }
            (_, Action::Dismiss) => {
                self.overlay = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A key while the search is typed: edit the query (the view follows each change),
    /// keep it (Enter), or drop it and go back where the search began (Esc, Ctrl-C).
    fn update_search_prompt(&mut self, action: Action) {
        let Some(search) = self.search.as_mut() else {
            self.overlay = None;
            return;
        };
        match action {
            Action::TypeChar(c) => {
                search.query.push(c);
                search.pending = true;
            }
            Action::EraseChar => {
                search.query.pop();
                search.pending = true;
            }
            Action::SearchNext(delta) => self.search_next(delta),
            Action::Confirm => {
                self.overlay = None;
                let found = self.geometry.matches.len();
                match (search.query.is_empty(), found) {
                    (true, _) => self.search = None,
                    (false, 0) => {
                        let query = search.query.clone();
                        self.scroll = search.anchor;
                        self.search = None;
                        self.say(Notice::NotFound(query));
                    }
                    (false, _) => {
                        let at = search.current.map_or(1, |i| i + 1);
                        let query = search.query.clone();
                        self.say(Notice::SearchKept { query, at, found });
                    }
                }
            }
            _ => {
                self.overlay = None;
                self.scroll = search.anchor;
                self.search = None;
            }
        }
    }

    /// The view laid the lesson out for a changed query: go to the first match at or after
    /// where the search began (wrapping to the top), or back there when nothing matches.
    fn search_landed(&mut self) {
        let Some(search) = self.search.as_mut().filter(|s| s.pending) else {
            return;
        };
        search.pending = false;
        let matches = &self.geometry.matches;
        search.current = matches
            .iter()
            .position(|&line| line >= search.anchor)
            .or((!matches.is_empty()).then_some(0));
        match search.current {
            Some(i) => self.reveal = Some(Reveal::Line(matches[i])),
            None => self.scroll = search.anchor,
        }
    }

    /// `n` / `N` with a search kept: the next or previous match, wrapping at the ends.
    fn search_next(&mut self, delta: i32) {
        let Some(search) = self.search.as_mut() else {
            self.say(Notice::NoSearch);
            return;
        };
        let found = self.geometry.matches.len();
        if found == 0 {
            let query = search.query.clone();
            self.say(Notice::NotFound(query));
            return;
        }
        let previous = search.current;
        let next = match previous {
            Some(i) => {
                let i = i64::try_from(i.min(found - 1)).unwrap_or(0) + i64::from(delta);
                usize::try_from(i.rem_euclid(i64::try_from(found).unwrap_or(1))).unwrap_or(0)
            }
            None => 0,
        };
        search.current = Some(next);
        self.follow = false;
        self.reveal = Some(Reveal::Line(self.geometry.matches[next]));
        let wrapped = match previous {
            Some(i) if delta > 0 && found > 1 && i + 1 >= found => Some(true),
            Some(0) if delta < 0 && found > 1 => Some(false),
            _ => None,
        };
        let query = search.query.clone();
        self.say(Notice::Match {
            query,
            at: next + 1,
            found,
            wrapped,
        });
    }

    /// A key in the step list: move, type a number, jump (Enter), or close.
    fn update_step_list(&mut self, selected: usize, mut typed: String, action: Action) {
        let last = self.lesson.steps.len().saturating_sub(1);
        let selected = match action {
            Action::ListMove(delta) => {
                typed.clear();
                let next = i64::try_from(selected).unwrap_or(0) + i64::from(delta);
                usize::try_from(next.max(0)).unwrap_or(0).min(last)
            }
            Action::ListDigit(d) if typed.len() < 6 => {
                typed.push(char::from(b'0' + d.min(9)));
                match typed.parse::<usize>() {
                    Ok(n) if (1..=last + 1).contains(&n) => n - 1,
                    _ => selected,
                }
            }
            Action::ListErase => {
                typed.pop();
                selected
            }
            Action::Confirm => {
                self.overlay = None;
                self.follow = false;
                self.go_step(selected);
                return;
            }
            Action::Cancel => selected,
            Action::ListDigit(_) => selected,
            _ => {
                self.overlay = None;
                return;
            }
        };
        self.overlay = Some(Overlay::Steps { selected, typed });
    }

    fn page(&self) -> usize {
        usize::from(self.geometry.viewport.3)
            .saturating_sub(2)
            .max(1)
    }

    fn scroll_to(&mut self, line: usize) {
        self.scroll = line.min(self.geometry.max_scroll());
    }

    fn go_step(&mut self, step: usize) {
        let steps = self.lesson.steps.len();
        if steps == 0 {
            self.say(Notice::NoSteps);
            return;
        }
        self.step = step.min(steps - 1);
        self.reveal = Some(Reveal::Step(self.step));
        if let Some(first) = self.cells.iter().position(|c| c.step == Some(self.step)) {
            self.focus = Some(first);
        }
    }

    fn focus_cell(&mut self, cell: CellIndex) {
        if self.cells.is_empty() {
            self.say(Notice::NoCommands);
            return;
        }
        let cell = cell.min(self.cells.len() - 1);
        self.set_focus(cell);
        self.reveal = Some(Reveal::Cell(cell));
    }

    /// Focus a cell; the current step follows it.
    pub(super) fn set_focus(&mut self, cell: CellIndex) {
        self.focus = Some(cell);
        if let Some(step) = self.cells.get(cell).and_then(|c| c.step) {
            self.step = step;
        }
    }

    fn toggle_pane(&mut self, pane: Pane) {
        let flag = match pane {
            Pane::Pods => &mut self.panes.pods,
            Pane::Sentinel => &mut self.panes.sentinel,
            Pane::Jobs => &mut self.panes.jobs,
        };
        *flag = !*flag;
    }

    fn scroll_output(&mut self, delta: i32) {
        let Some(run) = self.focus.and_then(|f| self.runs.get_mut(f)) else {
            return;
        };
        let window = if run.expanded {
            EXPANDED_LINES
        } else {
            FOLD_LINES
        };
        let max = run.output.len().saturating_sub(window);
        let next = i64::try_from(run.scroll).unwrap_or(i64::MAX) + i64::from(delta);
        run.scroll = usize::try_from(next.max(0)).unwrap_or(0).min(max);
    }

    /// Sentinel updates are the clock: while a live job has not been seen listening, ask which
    /// ports it listens on (at most once a second), so the jobs pane can say what it is.
    fn probe_job_ports(&mut self) -> Vec<Effect> {
        let due = self
            .ports_probed
            .is_none_or(|at| self.now.saturating_duration_since(at) >= Duration::from_secs(1));
        let unseen: Vec<(CellIndex, u32)> = self
            .runs
            .iter()
            .enumerate()
            .filter_map(|(cell, run)| {
                let job = run.job.as_ref()?;
                (job.exited.is_none() && job.ports.is_empty()).then_some((cell, job.pid))
            })
            .collect();
        if !due || unseen.is_empty() {
            return Vec::new();
        }
        self.ports_probed = Some(self.now);
        vec![Effect::ProbeJobPorts(unseen)]
    }

    fn toggle_wrap(&mut self) {
        let Some(run) = self.focus.and_then(|f| self.runs.get_mut(f)) else {
            return;
        };
        run.no_wrap = !run.no_wrap;
        run.pan = 0;
        let wraps = !run.no_wrap;
        self.say(Notice::Wrapping(wraps));
    }

    /// Sideways scroll of a no-wrap output, never past its widest line.
    fn pan_output(&mut self, delta: i32) {
        let Some(run) = self.focus.and_then(|f| self.runs.get_mut(f)) else {
            return;
        };
        if !run.no_wrap {
            self.say(Notice::PanNeedsNoWrap);
            return;
        }
        // The frame takes three columns of the lesson's width ("│ " and the right border):
        // the furthest scroll puts the end of the widest line at the border.
        let shown = usize::from(self.geometry.viewport.2)
            .saturating_sub(3)
            .max(1);
        let furthest = run.output.widest_line().saturating_sub(shown);
        let next = i64::try_from(run.pan).unwrap_or(i64::MAX) + i64::from(delta);
        run.pan = usize::try_from(next.max(0)).unwrap_or(0).min(furthest);
    }

    fn click(&mut self, column: u16, row: u16) {
        let (x, y, w, h) = self.geometry.viewport;
        if column < x || column >= x + w || row < y || row >= y + h {
            return;
        }
        let line = self.scroll + usize::from(row - y);
        if let Some(cell) = self.geometry.cell_at_line(line) {
            self.set_focus(cell);
        }
    }

    /// The pods pane's ROLE column comes from the sentinel view, joined by pod IP.
    fn join_roles(&mut self) {
        if let (Some(pods), Some(sentinel)) = (&mut self.pods, &self.sentinel) {
            pods.set_roles(sentinel.roles(), self.wall);
        }
    }

    /// The engine stopped without finishing these cells (cancel, failure earlier in a batch).
    pub fn settle_queued(&mut self) {
        for run in &mut self.runs {
            if run.status == CellStatus::Queued {
                run.status = CellStatus::Idle;
            }
        }
    }

    /// `s` on a background cell: stop its job, if one runs.
    fn stop_job(&mut self) -> Vec<Effect> {
        let Some(cell) = self.focus else {
            return Vec::new();
        };
        let alive = (self.runs.get(cell))
            .is_some_and(|r| r.job.as_ref().is_some_and(|j| j.exited.is_none()));
        let id = self.cells.get(cell).map_or("", |c| c.id.as_str());
        if !alive {
            self.say(Notice::NoJob(id.to_string()));
            return Vec::new();
        }
        self.say(Notice::StoppingJob(id.to_string()));
        vec![Effect::StopJob(cell)]
    }
}

/// Keys that move the view or the focus: the learner wants to be somewhere else than the
/// running cell's newest output.
fn moves_by_hand(action: &Action) -> bool {
    matches!(
        action,
        Action::ScrollDown(_)
            | Action::ScrollUp(_)
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
            | Action::NextStep
            | Action::PrevStep
            | Action::NextCell
            | Action::PrevCell
    )
}

fn is_user_input(action: &Action) -> bool {
    !matches!(
        action,
        Action::Tick
            | Action::Exec(_)
            | Action::ClusterReady { .. }
            | Action::ClusterConfirmed { .. }
            | Action::Edited { .. }
            | Action::Notice(_)
            | Action::Say(_)
            | Action::PodsState(_)
            | Action::SentinelState(_)
            | Action::Pods(_)
            | Action::Observed(_)
            | Action::Sentinel(_)
            | Action::JobPorts(_)
            | Action::LessonChanged(_)
            | Action::WorkshopUnpublished(_)
            | Action::LessonBroken(_)
            | Action::PaneTimer
            | Action::Laid(_)
            | Action::Started
            | Action::ProgressLoaded(_)
    )
}

/// What the pods pane watches, e.g. `kubetutor-redis · app in (redis)`.
pub fn pods_scope(namespace: &str, selector: Option<&str>) -> String {
    match selector {
        Some(sel) => format!("{namespace} · {sel}"),
        None => namespace.to_string(),
    }
}
