//! The words of the interface, one catalogue per language ([`en`], [`zh`]): the status bar,
//! key hints, help, dialogs, cell frames, step headings, the sentinel pane ([`PaneText`] and
//! the events' explanations) and the app's common notices ([`Notice`]) follow the lesson's
//! language (a `lesson.zh-CN.md` is shown in Chinese), and so do the panes' placeholders and
//! the rarer notices (edits and the editor's failures, reloads, the read-only lock, the
//! lesson-complete summary). What other programs say (a cluster's or the shell's errors,
//! quoted in a notice) stays as they said it.
//! Shared by the app (notices) and the TUI (everything drawn).

pub mod en;
mod zh;

/// The language of the interface's words: the lesson's, when the catalogue has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UiLang {
    #[default]
    English,
    Chinese,
}

impl UiLang {
    /// From the lesson file's name: `lesson.zh-CN.md` (a translation) is Chinese.
    pub fn of_lesson(path: &std::path::Path) -> Self {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let lang = stem.rsplit_once('.').map_or("", |(_, l)| l);
        if lang.to_ascii_lowercase().starts_with("zh") {
            UiLang::Chinese
        } else {
            UiLang::English
        }
    }
}

/// A message of the app's to the learner (the status bar's notice), said in the catalogue's
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    NoCommandHere,
    ShownNotRun,
    AlreadyRunning,
    NothingInStep,
    NoReplay,
    Replaying {
        commands: usize,
        upto: usize,
    },
    ReplayStopped {
        id: String,
        passed: usize,
        total: usize,
        upto: usize,
    },
    ReplayDone {
        passed: usize,
        total: usize,
        upto: usize,
    },
    Cancelled,
    Cancelling,
    NothingRunning,
    Copied,
    NoSteps,
    NoCommands,
    SearchCleared,
    NoSearch,
    NotFound(String),
    /// Enter kept the search: where the view is, and the keys.
    SearchKept {
        query: String,
        at: usize,
        found: usize,
    },
    /// n / N: the match now on screen; `wrapped` when it went round the end.
    Match {
        query: String,
        at: usize,
        found: usize,
        wrapped: Option<bool>,
    },
    /// `w`: whether the output now wraps.
    Wrapping(bool),
    PanNeedsNoWrap,
    NoJob(String),
    StoppingJob(String),
    WelcomeBack,
    /// Restored at this step (1-based): R replays the ones before it.
    WelcomeBackAt(usize),
    NothingToExport,
    WritingTranscript,
    Connecting(String),
    ClusterNotConfirmed,
    CleaningUp(usize),
    EditNeedsIdle,
    EditInteractive,
    EditReverted,
    Edited,
    NoEditToDrop,
    /// Another instance owns the lesson's progress (its pid when known, the lock file).
    ReadOnly {
        pid: Option<u32>,
        lock: String,
    },
    FrontMatterChanged,
    ReloadWaits(ReloadWait),
    /// The reloaded file has an error (its first, in rustc's short form).
    NotReloaded(String),
    /// A `capture=VAR` cell passed; `complete` when that also completed the lesson.
    Captured {
        cell: String,
        var: String,
        complete: Option<Box<Completion>>,
    },
    LessonComplete(Box<Completion>),
    NeedsEnv(String),
    LeftTerminal,
    ProgressCorrupt(String),
    /// Not run, for a reason another program gave (a cluster error).
    NotRun(String),
    ResetFailed(String),
    CopyFailed(String),
    /// Sent by OSC 52, but it may not arrive (inside tmux, or an unknown terminal).
    CopyUnsure {
        tmux: bool,
    },
    /// Not sent: this terminal cannot take OSC 52.
    CopyUnsupported(String),
    TranscriptWritten {
        path: String,
        commands: usize,
    },
    TranscriptFailed(String),
    NoEditor,
    /// `$EDITOR` could not be split like a shell would.
    EditorQuotes {
        editor: String,
        error: String,
    },
    /// The temporary file of an edit could not be written or read back.
    EditorFile(String),
    /// The editor could not start, or exited with a failure: the command is not run.
    EditorFailed {
        program: String,
        why: String,
    },
    // The panes' placeholders, before their watchers run.
    PodsStartWithCluster,
    PodsNotUsed,
    SentinelWaiting(String),
    SentinelNotUsed,
}

/// Why a changed lesson file is not reloaded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadWait {
    RunningCommand,
    /// The background job of this cell runs, and its cell moved or is gone.
    Job(String),
}

/// What the learner did, said once when the lesson becomes complete (figures formatted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub done: usize,
    pub judged: usize,
    pub passed: usize,
    /// The time the cells ran, e.g. `1m 12s`.
    pub ran: String,
    /// The last failover the sentinel pane measured: old and new master, seconds.
    pub failover: Option<(String, String, String)>,
    /// How long no master took writes, in seconds.
    pub unavailable: Option<String>,
}

/// A line (or part of one) of the sentinel pane, in the catalogue's language. Sentinel's own
/// words (`s_down`, `o_down`, `master-link-status`) and its replies stay as Sentinel says them.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneText {
    Stopped,
    Connecting(u32),
    Connected {
        up: usize,
        total: usize,
    },
    ConnectedGone {
        up: usize,
        total: usize,
        gone: usize,
        counted: u32,
    },
    Waiting {
        target: String,
        from: Option<String>,
    },
    Unreachable {
        retry: u32,
        within: String,
        error: String,
    },
    AllDown {
        total: usize,
        retry: u32,
        within: String,
    },
    AuthRequired,
    AuthFailed(String),
    NoMasterNamed(String),
    InSync,
    LinkOk,
    Lag(String),
    FailoverInProgress,
    DetectionToSwitch(f64),
    AlreadyAnswers(String),
    UnavailableSoFar(f64),
    Unavailable(f64),
    Events(usize),
}

/// Everything the views say, in one language.
pub trait Strings: Sync {
    // The status bar.
    fn status(&self, ctx: &str, ns: &str, step: &str) -> String;
    fn no_runs_yet(&self) -> &'static str;
    fn lesson_complete(&self) -> &'static str;
    /// `--workshop`: the progress could not be written to the cluster (the lesson goes on).
    fn workshop_unpublished(&self) -> &'static str;
    /// The key hints, separated by two spaces, ending with [`Strings::always_hints`].
    fn hints(&self) -> &'static str;
    fn always_hints(&self) -> &'static str;
    fn present_hints(&self) -> &'static str;
    fn term_hints(&self) -> &'static str;
    fn more_hint(&self) -> &'static str;

    // Steps.
    fn step_heading(&self, n: usize, total: usize, title: &str) -> String;

    // A cell's frame.
    fn shown_only(&self) -> &'static str;
    fn interactive(&self) -> &'static str;
    fn typing(&self) -> &'static str;
    fn idle(&self) -> &'static str;
    fn queued(&self) -> &'static str;
    fn running(&self, elapsed: &str, attempt: u32) -> String;
    fn not_running_earlier(&self) -> &'static str;
    fn passed_earlier(&self) -> &'static str;
    fn failed_earlier(&self) -> &'static str;
    fn passed(&self, took: &str) -> String;
    fn exit(&self, code: i32, took: &str) -> String;
    fn signal(&self, signal: i32, took: &str) -> String;
    fn failed(&self, took: &str) -> String;
    fn cancelled(&self, took: &str) -> String;
    fn timed_out(&self, after: &str) -> String;
    fn not_ready(&self, attempts: u32, took: &str) -> String;
    fn skipped(&self, reason: &str) -> String;
    fn error(&self, message: &str) -> String;
    fn refused(&self, message: &str) -> String;
    fn job_up(&self, pid: u32, uptime: &str) -> String;
    fn job_exited(&self, code: i32) -> String;
    fn job_killed(&self) -> &'static str;
    fn ran_edited(&self) -> &'static str;
    fn edited(&self) -> &'static str;
    fn output_rule(&self) -> &'static str;
    fn earlier_session_output(&self) -> &'static str;
    fn earlier_lines(&self, n: usize) -> String;
    fn newer_lines(&self, n: usize) -> String;
    fn cell_keys(&self, revert: bool) -> String;

    // Overlays.
    fn help_title(&self) -> &'static str;
    /// Said in the help's title when it does not fit: how to scroll, and whether more follows.
    fn help_scroll(&self, more_below: bool) -> &'static str;
    /// What a help line's keys do; `english` is the help table's own text.
    fn help_what(&self, keys: &str, english: &'static str) -> &'static str;
    fn notices_title(&self) -> &'static str;
    fn no_notices(&self) -> &'static str;
    fn quit_title(&self) -> &'static str;
    fn quit_text(&self, running: usize, jobs: usize) -> String;
    fn quit_question(&self) -> &'static str;
    fn cluster_title(&self) -> &'static str;
    fn cluster_labels(&self) -> [&'static str; 3];
    fn cluster_note(&self) -> &'static str;
    fn cluster_question(&self) -> &'static str;
    fn steps_title(&self) -> &'static str;
    fn steps_done(&self, done: usize, total: usize) -> String;
    fn step_reading(&self) -> &'static str;
    fn steps_keys(&self, typed: &str) -> String;
    fn search_keys(&self) -> &'static str;
    fn search_found(&self, lines: usize) -> String;

    /// What a Sentinel event means (`english` is the core's explanation, for events the
    /// catalogue does not know).
    fn sentinel_event(&self, name: &str, english: &'static str) -> &'static str;

    /// The sentinel pane's words.
    fn pane(&self, text: &PaneText) -> String;

    // The app's notices.
    fn notice(&self, notice: &Notice) -> String;
}

/// The catalogue for `lang`.
pub fn of(lang: UiLang) -> &'static dyn Strings {
    match lang {
        UiLang::English => &en::En,
        UiLang::Chinese => &zh::Zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{ALWAYS_HINTS, HELP, HINTS, MORE_HINT, PRESENT_HINTS, TERM_HINTS};

    /// The English catalogue is the key table's own text, so the help and hints cannot drift.
    #[test]
    fn english_is_the_key_tables_text() {
        let en = of(UiLang::English);
        assert_eq!(en.hints(), HINTS);
        assert_eq!(en.always_hints(), ALWAYS_HINTS);
        assert_eq!(en.present_hints(), PRESENT_HINTS);
        assert_eq!(en.term_hints(), TERM_HINTS);
        assert_eq!(en.more_hint(), MORE_HINT);
        for b in HELP {
            assert_eq!(en.help_what(b.keys, b.what), b.what);
        }
    }

    /// Every event the core explains has a Chinese explanation.
    #[test]
    fn chinese_explains_every_sentinel_event_the_core_explains() {
        let zh = of(UiLang::Chinese);
        let fallback = crate::sentinel::event::explain("+no-such-event");
        for &name in crate::sentinel::event::EXPLAINED {
            let english = crate::sentinel::event::explain(name);
            assert_ne!(
                english, fallback,
                "{name} is not an event the core explains"
            );
            let chinese = zh.sentinel_event(name, english);
            assert_ne!(chinese, english, "{name} has no Chinese explanation");
        }
    }

    /// Every help line and hint has its Chinese text, and the hints name the same keys.
    #[test]
    fn chinese_covers_every_help_line_and_hint() {
        let zh = of(UiLang::Chinese);
        for b in HELP {
            let what = zh.help_what(b.keys, b.what);
            assert_ne!(what, b.what, "no Chinese for the help line {:?}", b.keys);
            assert!(
                what.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{what}"
            );
        }
        let keys = |hints: &str| -> Vec<String> {
            hints
                .split("  ")
                .map(|h| h.split(' ').next().unwrap_or("").to_string())
                .collect()
        };
        let en = of(UiLang::English);
        assert_eq!(keys(zh.hints()), keys(en.hints()));
        assert_eq!(keys(zh.present_hints()), keys(en.present_hints()));
        assert!(zh.hints().ends_with(zh.always_hints()));
        assert!(zh.present_hints().ends_with(zh.always_hints()));
    }

    /// The rarer notices too are said in Chinese (quoted values, such as a variable's name
    /// or another program's error, stay as they are).
    #[test]
    fn chinese_says_the_rarer_notices() {
        let (en, zh) = (of(UiLang::English), of(UiLang::Chinese));
        let complete = Completion {
            done: 3,
            judged: 3,
            passed: 9,
            ran: "1m 2s".into(),
            failover: Some(("10.0.0.1".into(), "10.0.0.2".into(), "1.03".into())),
            unavailable: Some("6.10".into()),
        };
        let notices = [
            Notice::CleaningUp(2),
            Notice::EditNeedsIdle,
            Notice::EditInteractive,
            Notice::EditReverted,
            Notice::Edited,
            Notice::NoEditToDrop,
            Notice::ReadOnly {
                pid: Some(7),
                lock: "/tmp/l.lock".into(),
            },
            Notice::FrontMatterChanged,
            Notice::ReloadWaits(ReloadWait::RunningCommand),
            Notice::ReloadWaits(ReloadWait::Job("redis".into())),
            Notice::NotReloaded("l.md:3:1: error: bad".into()),
            Notice::Captured {
                cell: "port".into(),
                var: "PORT".into(),
                complete: Some(Box::new(complete.clone())),
            },
            Notice::LessonComplete(Box::new(complete)),
            Notice::NeedsEnv("TOKEN".into()),
            Notice::LeftTerminal,
            Notice::ProgressCorrupt("/tmp/p.bad".into()),
            Notice::NotRun("context gone".into()),
            Notice::ResetFailed("EACCES".into()),
            Notice::CopyFailed("EIO".into()),
            Notice::CopyUnsure { tmux: true },
            Notice::CopyUnsure { tmux: false },
            Notice::CopyUnsupported("Terminal.app".into()),
            Notice::TranscriptWritten {
                path: "t.md".into(),
                commands: 3,
            },
            Notice::TranscriptFailed("EROFS".into()),
            Notice::NoEditor,
            Notice::EditorQuotes {
                editor: "'vim".into(),
                error: "missing closing quote".into(),
            },
            Notice::EditorFile("ENOSPC".into()),
            Notice::EditorFailed {
                program: "vim".into(),
                why: "exit status: 1".into(),
            },
        ];
        let cjk = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for n in &notices {
            let (e, z) = (en.notice(n), zh.notice(n));
            assert!(!cjk(&e) && cjk(&z), "{n:?}: {e} / {z}");
        }
        let done = zh.notice(&notices[12]);
        for figure in ["3/3", "9", "10.0.0.2", "1.03", "6.10"] {
            assert!(done.contains(figure), "{done}");
        }
    }
}
