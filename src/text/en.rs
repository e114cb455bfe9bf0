//! The interface in English.

use super::{Completion, Notice, PaneText, ReloadWait, Strings};
use crate::app::LEAVE;

/// The short hints in the status bar; a narrow bar drops them from the left, never
/// [`ALWAYS_HINTS`].
pub const HINTS: &str = "⏎ run  a step  n/p step  ]/[ cmd  ^C cancel  ? help  q quit";
/// The end of [`HINTS`], kept at every width and beside a notice.
pub const ALWAYS_HINTS: &str = "? help  q quit";
/// After a notice the bar had to cut.
pub const MORE_HINT: &str = "! more";
/// The key bar in present mode: the few keys a presenter uses, so the audience sees the lesson.
pub const PRESENT_HINTS: &str = "⏎ run  n/p step  ? help  q quit";
/// The status bar while an interactive cell has the keyboard.
pub const TERM_HINTS: &str = "keys go to the program  ^] back to the lesson";

pub struct En;

impl Strings for En {
    fn status(&self, ctx: &str, ns: &str, step: &str) -> String {
        format!(" ctx {ctx} │ ns {ns} │ step {step} │ ")
    }
    fn no_runs_yet(&self) -> &'static str {
        "no runs yet"
    }
    fn lesson_complete(&self) -> &'static str {
        " │ ✓ lesson complete"
    }
    fn workshop_unpublished(&self) -> &'static str {
        " │ ⚠ progress not published"
    }
    fn hints(&self) -> &'static str {
        HINTS
    }
    fn always_hints(&self) -> &'static str {
        ALWAYS_HINTS
    }
    fn present_hints(&self) -> &'static str {
        PRESENT_HINTS
    }
    fn term_hints(&self) -> &'static str {
        TERM_HINTS
    }
    fn more_hint(&self) -> &'static str {
        MORE_HINT
    }

    fn step_heading(&self, n: usize, total: usize, title: &str) -> String {
        format!("Step {n}/{total} · {title}")
    }

    fn shown_only(&self) -> &'static str {
        "shown only"
    }
    fn interactive(&self) -> &'static str {
        "interactive"
    }
    fn typing(&self) -> &'static str {
        "typing…"
    }
    fn idle(&self) -> &'static str {
        "idle"
    }
    fn queued(&self) -> &'static str {
        "queued"
    }
    fn running(&self, elapsed: &str, attempt: u32) -> String {
        match attempt {
            0 | 1 => format!("running {elapsed}"),
            n => format!("running {elapsed} (attempt {n})"),
        }
    }
    fn not_running_earlier(&self) -> &'static str {
        "○ not running (started in an earlier session)"
    }
    fn passed_earlier(&self) -> &'static str {
        "✓ passed earlier"
    }
    fn failed_earlier(&self) -> &'static str {
        "✗ failed earlier"
    }
    fn passed(&self, took: &str) -> String {
        format!("✓ passed {took}")
    }
    fn exit(&self, code: i32, took: &str) -> String {
        format!("✗ exit {code} · {took}")
    }
    fn signal(&self, signal: i32, took: &str) -> String {
        format!("✗ signal {signal} · {took}")
    }
    fn failed(&self, took: &str) -> String {
        format!("✗ failed · {took}")
    }
    fn cancelled(&self, took: &str) -> String {
        format!("✗ cancelled · {took}")
    }
    fn timed_out(&self, after: &str) -> String {
        format!("✗ timed out after {after}")
    }
    fn not_ready(&self, attempts: u32, took: &str) -> String {
        format!("✗ not ready after {attempts} attempts · {took}")
    }
    fn skipped(&self, reason: &str) -> String {
        format!("– skipped: {reason}")
    }
    fn error(&self, message: &str) -> String {
        format!("✗ error: {message}")
    }
    fn refused(&self, message: &str) -> String {
        format!("✗ refused: {message}")
    }
    fn job_up(&self, pid: u32, uptime: &str) -> String {
        format!(" · job {pid} up {uptime}")
    }
    fn job_exited(&self, code: i32) -> String {
        format!(" · job exited {code}")
    }
    fn job_killed(&self) -> &'static str {
        " · job killed"
    }
    fn ran_edited(&self) -> &'static str {
        " · ran edited code"
    }
    fn edited(&self) -> &'static str {
        " · edited"
    }
    fn output_rule(&self) -> &'static str {
        "├─ output "
    }
    fn earlier_session_output(&self) -> &'static str {
        "· from an earlier session "
    }
    fn earlier_lines(&self, n: usize) -> String {
        format!("… {n} earlier lines (J/K scroll, o expand)")
    }
    fn newer_lines(&self, n: usize) -> String {
        format!("… {n} newer lines (J)")
    }
    fn cell_keys(&self, revert: bool) -> String {
        let revert = if revert { " · E revert" } else { "" };
        format!(" ⏎ run · a step · e edit{revert} · c copy ")
    }

    fn help_title(&self) -> &'static str {
        "keys"
    }
    fn help_scroll(&self, more_below: bool) -> &'static str {
        if more_below {
            "j/k scroll, more below"
        } else {
            "j/k scroll"
        }
    }
    fn help_what(&self, _keys: &str, english: &'static str) -> &'static str {
        english
    }
    fn notices_title(&self) -> &'static str {
        "last notices"
    }
    fn no_notices(&self) -> &'static str {
        "No notices yet."
    }
    fn quit_title(&self) -> &'static str {
        "quit?"
    }
    fn quit_text(&self, running: usize, jobs: usize) -> String {
        format!("{running} command(s) running, {jobs} background job(s) up.")
    }
    fn quit_question(&self) -> &'static str {
        "Quit and stop them? y = quit, n = stay"
    }
    fn cluster_title(&self) -> &'static str {
        "run against this cluster?"
    }
    fn cluster_labels(&self) -> [&'static str; 3] {
        ["context    ", "cluster    ", "namespace  "]
    }
    fn cluster_note(&self) -> &'static str {
        "Commands will run with a private kubeconfig for this target."
    }
    fn cluster_question(&self) -> &'static str {
        "y = run, n = cancel"
    }
    fn steps_title(&self) -> &'static str {
        "steps"
    }
    fn steps_done(&self, done: usize, total: usize) -> String {
        format!("{done} of {total} steps done")
    }
    fn step_reading(&self) -> &'static str {
        "reading"
    }
    fn steps_keys(&self, typed: &str) -> String {
        let typed = if typed.is_empty() {
            String::new()
        } else {
            format!("step {typed}… · ")
        };
        format!("{typed}↑/↓ choose · a number picks · Enter jumps · Esc closes")
    }
    fn search_keys(&self) -> &'static str {
        "  Enter keeps it · Esc cancels"
    }
    fn pane(&self, text: &PaneText) -> String {
        match text {
            PaneText::Stopped => {
                "○ stopped: the lesson is complete (its clean-up shut Redis down)".into()
            }
            PaneText::Connecting(1) => "connecting…".into(),
            PaneText::Connecting(attempt) => format!("connecting (attempt {attempt})…"),
            PaneText::Connected { up, total } => format!("● connected to {up}/{total} sentinels"),
            PaneText::ConnectedGone {
                up,
                total,
                gone,
                counted,
            } => format!(
                "● connected to {up}/{total} · {gone} gone (Sentinel still counts {counted})"
            ),
            PaneText::Waiting { target, from: None } => format!("○ waiting for {target}"),
            PaneText::Waiting {
                target,
                from: Some(from),
            } => format!("○ waiting for {target} ({from})"),
            PaneText::Unreachable {
                retry,
                within,
                error,
            } => format!("✖ unreachable; retry {retry} in {within}: {error}"),
            PaneText::AllDown {
                total,
                retry,
                within,
            } => format!("✖ all {total} sentinels down; retry {retry} in {within}"),
            PaneText::AuthRequired => "✖ auth required: set `password` or REDISCLI_AUTH".into(),
            PaneText::AuthFailed(error) => format!("✖ auth failed: {error}"),
            PaneText::NoMasterNamed(name) => {
                format!("✖ no master named {name:?}: see SENTINEL MASTERS")
            }
            PaneText::InSync => "in sync".into(),
            PaneText::LinkOk => "link ok".into(),
            PaneText::Lag(bytes) => format!("lag {bytes}"),
            PaneText::FailoverInProgress => "failover in progress".into(),
            PaneText::DetectionToSwitch(secs) => format!("  detection→switch {secs:.2} s"),
            PaneText::AlreadyAnswers(addr) => format!("  {addr} already answers as master"),
            PaneText::UnavailableSoFar(secs) => {
                format!("  unavailable for writes: {secs:.1} s so far")
            }
            PaneText::Unavailable(secs) => format!("  unavailable for writes {secs:.2} s"),
            PaneText::Events(n) => format!("── events ({n}) ──"),
        }
    }
    fn sentinel_event(&self, _name: &str, english: &'static str) -> &'static str {
        english
    }
    fn notice(&self, notice: &Notice) -> String {
        match notice {
            Notice::NoCommandHere => "No command to run here.".into(),
            Notice::ShownNotRun => "This block is shown, not run (run=false).".into(),
            Notice::AlreadyRunning => "This command is already running; Ctrl-C cancels it.".into(),
            Notice::NothingInStep => "Nothing to run in this step.".into(),
            Notice::NoReplay => "No earlier step has commands to replay.".into(),
            Notice::Replaying { commands, upto } => {
                format!("Replaying {commands} commands of steps 1-{upto}.")
            }
            Notice::ReplayStopped {
                id,
                passed,
                total,
                upto,
            } => format!(
                "Replay stopped: `{id}` failed ({passed} of {total} commands of steps 1-{upto} passed)."
            ),
            Notice::ReplayDone {
                passed,
                total,
                upto,
            } => format!("Replay done: {passed} of {total} commands of steps 1-{upto} passed."),
            Notice::Cancelled => "Cancelled.".into(),
            Notice::Cancelling => "Cancelling…".into(),
            Notice::NothingRunning => "Nothing is running. Press q to quit.".into(),
            Notice::Copied => "Command copied to the clipboard (OSC 52).".into(),
            Notice::NoSteps => "This lesson has no steps.".into(),
            Notice::NoCommands => "This lesson has no commands.".into(),
            Notice::SearchCleared => "Search cleared.".into(),
            Notice::NoSearch => "No search: / starts one.".into(),
            Notice::NotFound(query) => format!("Not found: {query}"),
            Notice::SearchKept { query, at, found } => {
                format!("/{query}: match {at} of {found} · n / N next / previous · Esc clears")
            }
            Notice::Match {
                query,
                at,
                found,
                wrapped,
            } => {
                let wrapped = match wrapped {
                    Some(true) => " (from the top)",
                    Some(false) => " (from the bottom)",
                    None => "",
                };
                format!("/{query}: match {at} of {found}{wrapped}")
            }
            Notice::Wrapping(false) => {
                "output not wrapped: ←/→ scroll it sideways, w wraps it again".into()
            }
            Notice::Wrapping(true) => "output wrapped".into(),
            Notice::PanNeedsNoWrap => "the output wraps: w to stop wrapping, then ←/→".into(),
            Notice::NoJob(id) => format!("No background job of `{id}` is running."),
            Notice::StoppingJob(id) => format!("Stopping the background job of `{id}`…"),
            Notice::WelcomeBack => "Welcome back (--reset starts over).".into(),
            Notice::WelcomeBackAt(step) => format!(
                "Welcome back: step {step}. R replays steps 1-{} (their variables and jobs are gone); --reset starts over.",
                step - 1
            ),
            Notice::NothingToExport => {
                "Nothing to export yet: no command has run in this session.".into()
            }
            Notice::WritingTranscript => "Writing the transcript…".into(),
            Notice::Connecting(context) => format!("Connecting to {context}…"),
            Notice::ClusterNotConfirmed => "Not run: the cluster target was not confirmed.".into(),
            Notice::CleaningUp(n) => {
                format!("Cleaning up before quitting: {n} command(s) marked always=true…")
            }
            Notice::EditNeedsIdle => "Only an idle, runnable command can be edited.".into(),
            Notice::EditInteractive => {
                "Interactive commands run as written; c copies one.".into()
            }
            Notice::EditReverted => "Back to the lesson's command. Enter runs it.".into(),
            Notice::Edited => "Edited: Enter runs your version, E drops the edit.".into(),
            Notice::NoEditToDrop => "This command has no edit to drop.".into(),
            Notice::ReadOnly { pid, lock } => {
                let who = pid.map_or("another kubetutor".to_string(), |p| {
                    format!("another kubetutor (pid {p})")
                });
                format!(
                    "Read-only: {who} has this lesson open and owns its progress; nothing done here is saved (lock {lock})."
                )
            }
            Notice::FrontMatterChanged => "The lesson's front matter changed: restart kubetutor to use it (the rest is not reloaded either).".into(),
            Notice::ReloadWaits(ReloadWait::RunningCommand) => {
                "The lesson changed on disk: it reloads when the running command ends.".into()
            }
            Notice::ReloadWaits(ReloadWait::Job(id)) => format!(
                "The lesson changed on disk: it reloads once the background job of `{id}` is stopped (s): its command moved or is gone."
            ),
            Notice::NotReloaded(problem) => {
                format!("Not reloaded, the file has an error: {problem}")
            }
            Notice::Captured {
                cell,
                var,
                complete,
            } => {
                let saved = format!("{cell}: output saved as ${var}");
                match complete {
                    Some(c) => format!("{saved} · {}", completion(c)),
                    None => saved,
                }
            }
            Notice::LessonComplete(c) => completion(c),
            Notice::NeedsEnv(name) => format!(
                "Not run: the lesson needs ${name} (set it in the environment, or answer the question)."
            ),
            Notice::LeftTerminal => format!(
                "Left the terminal ({LEAVE}); it keeps running. Enter returns to it, Ctrl-C stops it."
            ),
            Notice::ProgressCorrupt(path) => {
                format!("Saved progress was unreadable; moved to {path}.")
            }
            Notice::NotRun(why) => format!("Not run: {why}"),
            Notice::ResetFailed(e) => format!("Could not reset progress: {e}"),
            Notice::CopyFailed(e) => format!("Copy failed: {e}"),
            Notice::CopyUnsure { tmux: true } => "Command sent to the clipboard by OSC 52; inside tmux it reaches your terminal only with `set -g set-clipboard on`.".into(),
            Notice::CopyUnsure { tmux: false } => "Command sent to the clipboard by OSC 52; if nothing arrived, your terminal ignores OSC 52.".into(),
            Notice::CopyUnsupported(name) => format!(
                "{name} cannot take OSC 52: select the command with the mouse (Shift+drag) to copy it."
            ),
            Notice::TranscriptWritten { path, commands } => {
                format!("Transcript written: {path} ({commands} commands with their output)")
            }
            Notice::TranscriptFailed(e) => format!("Transcript not written: {e}"),
            Notice::NoEditor => {
                "No editor: set $EDITOR (e.g. export EDITOR=nano) to edit commands.".into()
            }
            Notice::EditorQuotes { editor, error } => {
                format!("Cannot read $EDITOR ({editor}): {error}; fix its quotes.")
            }
            Notice::EditorFile(e) => format!("Cannot keep the edit in a temporary file: {e}"),
            Notice::EditorFailed { program, why } => {
                format!("{program} failed ({why}); command not run.")
            }
            Notice::PodsStartWithCluster => {
                "pods: starts once the cluster is confirmed (first kubectl command)".into()
            }
            Notice::PodsNotUsed => "pods: no cluster configured for this lesson".into(),
            Notice::SentinelWaiting(target) => format!("sentinel: waiting for {target}"),
            Notice::SentinelNotUsed => "sentinel: not used by this lesson".into(),
        }
    }
    fn search_found(&self, lines: usize) -> String {
        match lines {
            0 => "  not found".to_string(),
            1 => "  1 line".to_string(),
            n => format!("  {n} lines"),
        }
    }
}

fn completion(c: &Completion) -> String {
    let mut text = format!(
        "✓ Lesson complete: {}/{} steps done, {} cells passed, {} of commands",
        c.done, c.judged, c.passed, c.ran
    );
    if let Some((old, new, secs)) = &c.failover {
        text.push_str(&format!("; failover {old} → {new} in {secs} s"));
    }
    if let Some(secs) = &c.unavailable {
        text.push_str(&format!(", writes unavailable {secs} s"));
    }
    text
}
