//! What goes into [`App::update`](super::App::update) and what comes out of it.

use crate::effects::Observed;
use crate::exec::ExecEvent;
use crate::exec::term_emulator::TermSize;
use crate::kube::model::PodsUpdate;
use crate::lesson::CellIndex;
use crate::sentinel::SentinelUpdate;

use super::progress::Loaded;
use super::state::{ClusterTarget, Geometry, Pane};

/// A typed input: a key already mapped by the keymap, or an event from a background task.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    ScrollDown(usize),
    ScrollUp(usize),
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextStep,
    PrevStep,
    NextCell,
    PrevCell,
    RunFocused,
    RunStep,
    /// Run every command of the steps before the current one again (after a restart their
    /// variables and background jobs are gone).
    ReplayEarlier,
    /// Ctrl-C: cancel what runs; never quits.
    Cancel,
    Copy,
    Edit,
    /// Drop the learner's edit: the cell runs the lesson's code again.
    RevertEdit,
    ToggleHelp,
    /// `!`: show the last notices in full.
    ShowNotices,
    Quit,
    /// `y` in a confirmation.
    Confirm,
    /// `n` or Esc: close the overlay / refuse.
    Dismiss,
    TogglePane(Pane),
    /// Grow (+) or shrink (-) the lesson column, in percent.
    ResizeSplit(i16),
    /// Scroll the focused cell's output (positive: towards older lines).
    OutputScroll(i32),
    /// `/`: start typing a search.
    SearchStart,
    /// A character typed into a text field (the search, a value the lesson asks for).
    TypeChar(char),
    /// Backspace in a text field.
    EraseChar,
    /// The next (1) or previous (-1) match.
    SearchNext(i32),
    /// j/k in the help: scroll it; `rows` is how many lines the help has.
    HelpScroll {
        delta: i32,
        rows: usize,
    },
    /// The ports each probed job (cell, pid) listens on.
    JobPorts(Vec<(CellIndex, u32, Vec<u16>)>),
    /// Whether the workshop progress writer's last write failed (it changed).
    WorkshopUnpublished(bool),
    /// The lesson's file changed and parsed: the new version (see `reload.rs`).
    LessonChanged(std::sync::Arc<crate::lesson::Lesson>),
    /// The lesson's file changed but no longer parses: what is wrong (the old version stays).
    LessonBroken(String),
    /// `x`: export the session as a Markdown transcript.
    Export,
    /// `t`: the step list.
    ShowSteps,
    /// Move the selection of a list overlay by this many rows (clamped at the ends).
    ListMove(i32),
    /// A digit typed in the step list: picks the step with that number.
    ListDigit(u8),
    /// Backspace in the step list: drops the last typed digit.
    ListErase,
    /// Switch the focused cell's output between wrapped and cut (with `OutputPan`).
    ToggleWrap,
    /// Columns to scroll a no-wrap output right (positive) or left.
    OutputPan(i32),
    ToggleExpand,
    /// Stop the focused cell's background job (`background=true`).
    StopJob,
    /// A left click at a screen position.
    Click {
        column: u16,
        row: u16,
    },
    /// The terminal was resized: reflow and keep the focused cell in view.
    Resized,
    /// Animation tick (spinner, elapsed time, instructor typing).
    Tick,
    /// Present mode: a key while a command is typed out finishes its typing.
    SkipTyping,
    Exec(ExecEvent),
    /// The result of preparing the cluster target (a message when it failed).
    ClusterReady {
        result: Result<ClusterTarget, String>,
        pending: Vec<CellIndex>,
    },
    /// The confirmed kubeconfig is in place: whether the lesson namespace had to be created,
    /// or why the cluster cannot be used.
    ClusterConfirmed {
        target: ClusterTarget,
        result: Result<bool, String>,
        pending: Vec<CellIndex>,
    },
    /// `$EDITOR` finished: the new code, or None when it was left unchanged or failed.
    Edited {
        cell: CellIndex,
        code: Option<String>,
    },
    /// A message for the status bar from the runtime, as another program gave it (the
    /// editor's failure, the notes server's).
    Notice(String),
    /// A message of the runtime's own, said in the lesson's language.
    Say(crate::text::Notice),
    PodsState(String),
    SentinelState(String),
    Pods(PodsUpdate),
    Sentinel(SentinelUpdate),
    /// An effect from a watch with no pane of its own (Kubernetes Events).
    Observed(Observed),
    /// A pane highlight (new/changed pod) is due to fade.
    PaneTimer,
    /// Bytes for the focused interactive cell's program (a key, already encoded).
    TermInput(Vec<u8>),
    /// Pasted text for the focused interactive cell's program.
    TermPaste(String),
    /// The leave key: the keyboard goes back to the lesson (the program keeps running).
    TermLeave,
    /// The lesson is open and the loop runs: start what needs no cluster (a sentinel reached
    /// by address).
    Started,
    /// Saved progress was read (or set aside), off the loop.
    ProgressLoaded(Loaded),
    /// The view measured the lesson for the frame about to be drawn: where steps and cells
    /// land. The app brings a pending reveal on screen and clamps its scroll with it.
    Laid(Geometry),
}

/// A side effect the runtime performs for the app; the app itself never does I/O.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Queue these cells on the engine, in order, each with the learner's edit (`Some`) or
    /// the lesson's code (`None`); more than one cell is a batch (a failure skips the rest).
    Run {
        cells: Vec<(CellIndex, Option<String>)>,
    },
    /// Start an interactive cell on a terminal of its own of this size.
    RunTerminal {
        cell: CellIndex,
        size: TermSize,
    },
    /// Bytes for an interactive cell's program.
    TermInput {
        cell: CellIndex,
        bytes: Vec<u8>,
    },
    /// A new size for an interactive cell's terminal.
    TermResize {
        cell: CellIndex,
        size: TermSize,
    },
    Cancel,
    /// Stop this cell's background job (its process group, with the usual escalation).
    StopJob(CellIndex),
    /// Work out the cluster target, then answer with [`Action::ClusterReady`].
    PrepareCluster(Vec<CellIndex>),
    /// The learner said yes: install the confirmed kubeconfig, create the namespace, then
    /// answer with [`Action::ClusterConfirmed`].
    ConfirmCluster {
        target: ClusterTarget,
        pending: Vec<CellIndex>,
    },
    /// Start monitoring the sentinel the lesson names by address (its view already exists);
    /// a configuration error comes back as [`Action::SentinelState`].
    StartLocalSentinel,
    /// Start the panes that watch the confirmed cluster (their views already exist): the pod
    /// watch when `pods`, the sentinel monitor through the service when `sentinel`.
    StartClusterPanes {
        pods: bool,
        sentinel: bool,
    },
    /// A background job started (maybe the sentinel the pane waits for): retry at once.
    WakeSentinel,
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Open the cell's code in `$EDITOR`, then answer with [`Action::Edited`].
    Edit {
        cell: CellIndex,
        code: String,
    },
    SaveProgress,
    /// The lesson was replaced by a new version of its file: the engine and the view take it.
    Reloaded(std::sync::Arc<crate::lesson::Lesson>),
    /// Read which TCP ports these jobs (cell, pid) listen on, then answer with
    /// [`Action::JobPorts`].
    ProbeJobPorts(Vec<(CellIndex, u32)>),
    /// `x`: write these records as a Markdown transcript (a new file in the working folder),
    /// then answer with a notice naming it.
    ExportTranscript(std::collections::BTreeMap<CellIndex, crate::run::transcript::Record>),
    Quit,
}

impl Effect {
    /// [`Effect::Run`] of the lesson's own code for `cells`.
    pub fn run(cells: Vec<CellIndex>) -> Self {
        Effect::Run {
            cells: cells.into_iter().map(|c| (c, None)).collect(),
        }
    }
}
