//! The application state the TUI renders. Plain data: no terminal, no ratatui.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::app::pods_view::PodsView;
use crate::effects::Attribution;
use crate::exec::Outcome;
use crate::exec::term_emulator::{Emulator, TermSize};
use crate::lesson::{CellIndex, Lesson};
use crate::sentinel::SentinelView;

use super::output::OutputBuffer;

/// Output lines shown under a cell before it folds into its own scroll.
pub const FOLD_LINES: usize = 10;
/// Output lines shown when a cell is expanded with `o`.
pub const EXPANDED_LINES: usize = 200;

/// Where a cell is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum CellStatus {
    Idle,
    /// Waiting for the engine (a step run queues several cells).
    Queued,
    Running {
        since: Instant,
        attempt: u32,
    },
    Done {
        outcome: Outcome,
        duration: Duration,
    },
    /// Result restored from saved progress: the output is gone, the verdict is kept.
    Earlier {
        passed: bool,
    },
}

impl CellStatus {
    pub fn is_active(&self) -> bool {
        matches!(self, CellStatus::Queued | CellStatus::Running { .. })
    }
}

/// A background cell's process, for the jobs pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub pid: u32,
    pub since: Instant,
    /// `Some(code)` once it exited (`code` is None when a signal ended it).
    pub exited: Option<Option<i32>>,
    /// TCP ports its processes listen on, once seen (the jobs pane names its role by them).
    pub ports: Vec<u16>,
}

/// Per-cell runtime state.
#[derive(Debug)]
pub struct CellRun {
    pub status: CellStatus,
    pub output: OutputBuffer,
    /// Lines scrolled up from the tail of the output (0 follows new output).
    pub scroll: usize,
    pub expanded: bool,
    /// `w`: output lines are not wrapped but cut at the frame, and `pan` columns are
    /// scrolled off on the left (k9s's log view).
    pub no_wrap: bool,
    /// Columns scrolled off the left of a no-wrap output.
    pub pan: usize,
    pub job: Option<Job>,
    /// Code edited in `$EDITOR` for this run, shown instead of the lesson's.
    pub edited: Option<String>,
    /// The last run (queued, running or done) ran `edited`, not the lesson's code.
    pub ran_edited: bool,
    /// An interactive cell's screen while its program runs.
    pub term: Option<Emulator>,
}

impl Default for CellRun {
    fn default() -> Self {
        Self {
            status: CellStatus::Idle,
            output: OutputBuffer::new(),
            scroll: 0,
            expanded: false,
            no_wrap: false,
            pan: 0,
            job: None,
            edited: None,
            ran_edited: false,
            term: None,
        }
    }
}

/// What the app knows about a cell from the lesson, computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct CellInfo {
    pub step: Option<usize>,
    pub id: String,
    pub runnable: bool,
    pub interactive: bool,
    pub background: bool,
    /// `always=true`: a cleanup cell, offered when quitting after a failure.
    pub always: bool,
    /// Talks to a cluster (mentions kubectl/helm): needs the target confirmed first.
    pub needs_cluster: bool,
    /// Shown under the cell when it fails.
    pub hint: Option<String>,
}

/// The cluster a lesson's cells will run against, as shown for confirmation: the session's own
/// type, not a copy of it.
pub use crate::kube::safety::ClusterTarget;

/// A modal layer over the lesson.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// `?`: the keys, scrolled by `scroll` lines when the screen is too short for them all.
    Help {
        scroll: usize,
    },
    /// `!`: the last notices in full.
    Notices,
    /// `/`: the query being typed (the status bar is its prompt).
    Search,
    /// Runme's promptEnv: the lesson asks for `prompts[0]` (then the rest) before `batch`
    /// runs; `input` is the answer typed so far.
    AskEnv {
        batch: Vec<CellIndex>,
        prompts: Vec<crate::lesson::EnvPrompt>,
        input: String,
    },
    /// `t`: every step with its progress; Enter jumps to the selected one, digits pick a
    /// step by number.
    Steps {
        selected: usize,
        typed: String,
    },
    ConfirmQuit,
    /// Quitting after a failure: run these `always=true` cells first?
    ConfirmCleanup {
        cells: Vec<CellIndex>,
    },
    /// Asked once before the first cell that talks to the cluster runs.
    ConfirmCluster {
        target: ClusterTarget,
        pending: Vec<CellIndex>,
    },
}

/// How many notices `!` keeps.
pub const NOTICES_KEPT: usize = 20;

/// The right-hand column.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneLayout {
    pub pods: bool,
    pub sentinel: bool,
    pub jobs: bool,
    /// Percent of the width given to the lesson when any pane is shown.
    pub lesson_percent: u16,
}

impl Default for PaneLayout {
    fn default() -> Self {
        Self {
            pods: true,
            sentinel: true,
            jobs: true,
            lesson_percent: 62,
        }
    }
}

impl PaneLayout {
    pub fn any(&self) -> bool {
        self.pods || self.sentinel || self.jobs
    }
}

/// Which pane a toggle key addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Pods,
    Sentinel,
    Jobs,
}

/// Where things landed on screen in the last layout pass, filled in by the view so that
/// scrolling, step jumps and mouse clicks can be resolved without the app knowing about
/// wrapping or widths. Line numbers are in lesson-document lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geometry {
    /// Lesson viewport on screen: x, y, width, height.
    pub viewport: (u16, u16, u16, u16),
    pub total_lines: usize,
    pub step_lines: Vec<usize>,
    /// First and one-past-last document line of each cell's frame (output included).
    pub cell_lines: Vec<(usize, usize)>,
    /// Document lines holding the search query, top to bottom (empty without a search).
    pub matches: Vec<usize>,
}

impl Geometry {
    pub fn cell_at_line(&self, line: usize) -> Option<CellIndex> {
        self.cell_lines
            .iter()
            .position(|&(a, b)| (a..b).contains(&line))
    }

    pub fn max_scroll(&self) -> usize {
        self.total_lines
            .saturating_sub(usize::from(self.viewport.3).max(1))
    }

    /// The scroll from `scroll` that brings a step heading to the top, or a whole cell (or its
    /// start) on screen.
    pub fn reveal(&self, scroll: usize, reveal: Reveal) -> usize {
        let g = self;
        let height = usize::from(g.viewport.3).max(1);
        match reveal {
            Reveal::Step(i) => g.step_lines.get(i).copied().unwrap_or(scroll),
            Reveal::Line(line) if (scroll..scroll + height).contains(&line) => scroll,
            Reveal::Line(line) => line.saturating_sub(height / 3),
            Reveal::Cell(i) => {
                let Some(&(start, end)) = g.cell_lines.get(i) else {
                    return scroll;
                };
                if start < scroll {
                    start
                } else if end > scroll + height {
                    (end - height).min(start)
                } else {
                    scroll
                }
            }
            Reveal::CellEnd(i) => {
                let Some(&(start, end)) = g.cell_lines.get(i) else {
                    return scroll;
                };
                // The newest output is the frame's last line: it must be on screen even when
                // the top of a tall cell is not.
                if end > scroll + height {
                    end - height
                } else if start < scroll {
                    start.max(end.saturating_sub(height))
                } else {
                    scroll
                }
            }
        }
    }
}

/// Something the view should bring on screen in its next layout pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    Step(usize),
    /// A document line (a search match), a third of the way down the screen.
    Line(usize),
    Cell(CellIndex),
    /// The cell's last line (its newest output), with as much of the cell above as fits.
    CellEnd(CellIndex),
}

pub use crate::text::UiLang;

/// `/`: what is searched for and which match is on screen. The view finds the matches (it
/// knows the laid-out lines) and returns them in [`Geometry::matches`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    pub query: String,
    /// The scroll when `/` was pressed: matches are looked for from there, Esc returns there.
    pub anchor: usize,
    /// Index into `Geometry::matches` of the match last brought on screen.
    pub current: Option<usize>,
    /// The query changed: the next layout's matches decide where the view goes.
    pub pending: bool,
}

/// Instructor mode typing a command out before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    pub cell: CellIndex,
    pub shown: usize,
    /// The whole batch, run once the last command has been typed.
    pub batch: Vec<CellIndex>,
}

/// The state of an open lesson.
#[derive(Debug)]
pub struct App {
    pub lesson: Arc<Lesson>,
    pub cells: Vec<CellInfo>,
    pub runs: Vec<CellRun>,
    pub step: usize,
    pub focus: Option<CellIndex>,
    pub scroll: usize,
    pub reveal: Option<Reveal>,
    /// Follow the running cell (its newest output stays on screen), as Jupyter does. Moving
    /// by hand (scroll, step or cell keys) stops it; the next run starts it again.
    pub follow: bool,
    pub overlay: Option<Overlay>,
    /// The language of the interface (from the lesson's file name).
    pub lang: UiLang,
    /// The search in effect (typed with `/`, kept after Enter until Esc).
    pub search: Option<Search>,
    /// Values given for the lesson's `export NAME=...` prompts in this session (never saved:
    /// they may be secrets), passed to every cell that asks for them.
    pub env_answers: std::collections::BTreeMap<String, String>,
    /// `--workshop`: the last write of this learner's progress to the cluster failed (the
    /// lesson goes on; the status bar shows a marker).
    pub workshop_unpublished: bool,
    /// A new version of the lesson file, waiting until nothing runs (see `reload.rs`).
    pub pending_reload: Option<Arc<Lesson>>,
    pub panes: PaneLayout,
    pub geometry: Geometry,
    /// The cluster target the user confirmed; None until then.
    pub cluster: Option<ClusterTarget>,
    /// The last finished cell, for the status bar.
    pub last_result: Option<(CellIndex, Outcome)>,
    /// A one-line notice (errors, hints); cleared by the next key.
    pub notice: Option<String>,
    /// The cells `R` replays, until the last of them is done (then a notice says so).
    pub replaying: Vec<CellIndex>,
    /// How many commands the replay has, and its last step (1-based), for that notice.
    pub replay_total: usize,
    pub replay_upto: usize,
    /// The last notices, newest last, for `!`: the status bar cuts long ones to its width.
    pub notices: VecDeque<String>,
    /// One-line pane states shown until the live views exist.
    pub pods_state: String,
    pub sentinel_state: String,
    /// Live views, present once their watcher/monitor has been started.
    pub pods: Option<PodsView>,
    /// What the pods pane watches (`namespace · selector`).
    pub pods_scope: String,
    pub sentinel: Option<SentinelView>,
    /// What each cell's command did in the cluster and the sentinels (issue 19).
    pub effects: Attribution,
    pub present: bool,
    /// Present mode's typing speed in characters per second; None types nothing out.
    pub typing_speed: Option<u32>,
    pub typing: Option<Typing>,
    /// The interactive cell that has the keyboard: every key goes to its program but the
    /// leave key ([`super::term_keys::LEAVE`]).
    pub term_focus: Option<CellIndex>,
    /// The size interactive cells' terminals have (from the lesson column's geometry).
    pub term_size: TermSize,
    /// Present mode: the `stdin=` script of the interactive cell being presented.
    pub script: Option<super::present_keys::Script>,
    /// Wall clock of the last event: views compute elapsed times from it, so tests are stable.
    pub now: Instant,
    /// The same moment as wall-clock time, for the panes' ages and timelines.
    pub wall: SystemTime,
    pub spinner: usize,
    /// When the jobs' listening ports were last asked for (at most once a second).
    pub ports_probed: Option<Instant>,
    pub dirty: bool,
    pub quit: bool,
    /// The learner chose to run the cleanup cells before quitting: quit once they finished.
    pub quit_after_cleanup: bool,
}

impl App {
    /// Where the lesson starts the sentinel at `address` (`127.0.0.1:26479`): the step of the
    /// first background cell that names its port, as "started in step 3".
    pub fn sentinel_origin(&self, address: &str) -> Option<String> {
        let port = address.rsplit_once(':')?.1;
        let cells = self.lesson.cells();
        let i = (0..cells.len()).find(|&i| {
            cells[i].attrs.background
                && cells[i]
                    .code
                    .split(|c: char| !c.is_ascii_digit())
                    .any(|w| w == port)
        })?;
        let step = self.cells[i].step?;
        Some(format!("started in step {}", step + 1))
    }
}
