//! Runs one foreground cell to its outcome: skip rules, working directory, verify retries,
//! capture, and folding the cell's shell state back into the session.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::attempt::{self, Ending};
use super::event::{ExecEvent, Outcome, Stream};
use super::hints;
use super::session::Session;
use super::{EngineOptions, SKIP_NEEDS_ENV};
use crate::lesson::{Cell, CellIndex, Lesson};

/// Why a cell is not run at all, if it is not.
pub fn skip_reason(cell: &Cell, opts: &EngineOptions) -> Option<String> {
    if !cell.is_runnable() {
        return Some("run=false".into());
    }
    let missing: Vec<&str> = cell
        .attrs
        .needs
        .iter()
        .filter(|n| opts.skip_needs.contains(n))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "needs {} ({SKIP_NEEDS_ENV} lists it)",
            missing.join(", ")
        ));
    }
    None
}

/// The lesson's workdir as an absolute path (a lesson given as `lesson.md` has an empty parent).
pub fn workdir(lesson: &Lesson) -> PathBuf {
    let dir = lesson.workdir();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    std::path::absolute(&dir).unwrap_or(dir)
}

/// The directory a cell starts in, and whether it is the cell's own (`cwd=`, not carried on).
pub fn cell_dir(
    lesson: &Lesson,
    cell: &Cell,
    session: &Session,
) -> Result<(PathBuf, bool), Outcome> {
    let (dir, own) = match &cell.attrs.cwd {
        Some(p) if p.is_absolute() => (p.clone(), true),
        Some(p) => (workdir(lesson).join(p), true),
        None => (session.cwd().to_path_buf(), false),
    };
    if dir.is_dir() {
        Ok((dir, own))
    } else {
        let what = if own { "cwd" } else { "workdir" };
        Err(Outcome::Error {
            message: format!("missing {what}: {} does not exist", dir.display()),
        })
    }
}

/// The gate's look after a cell that ran: a refusal replaces the cell's own outcome.
pub(crate) async fn after_gate(opts: &EngineOptions, outcome: Outcome) -> Outcome {
    let Some(gate) = opts.gate.clone() else {
        return outcome;
    };
    match tokio::task::spawn_blocking(move || gate.0.after()).await {
        Ok(Ok(())) => outcome,
        Ok(Err(message)) => Outcome::Refused { message },
        Err(e) => Outcome::Refused {
            message: format!("the cluster check failed: {e}"),
        },
    }
}

pub struct Run<'a> {
    pub lesson: &'a Lesson,
    pub cell: &'a Cell,
    pub index: CellIndex,
    pub opts: &'a EngineOptions,
    pub events: &'a mpsc::Sender<ExecEvent>,
    pub cancel: &'a CancellationToken,
    pub closing: &'a CancellationToken,
    /// What the watchers observed, and since when it counts (`until=`).
    pub seen: (&'a super::seen::Seen, std::time::SystemTime),
}

/// Runs the cell (every verify attempt) and returns how it ended. Sends Started and Output
/// events (plus a note naming `$VAR`s that were never set, when it failed); the caller sends
/// Finished.
pub async fn run(session: &mut Session, r: Run<'_>) -> Outcome {
    let outcome = attempts(session, &r).await;
    if matches!(
        outcome,
        Outcome::Failed { .. } | Outcome::RetriesExhausted { .. }
    ) {
        let code = &r.cell.code;
        let unset: Vec<String> = hints::undefined_names(code)
            .into_iter()
            .filter(|n| !session.is_set(n))
            .collect();
        // A name an earlier cell sets gets a note naming that cell; the rest one note.
        let mut notes = Vec::new();
        let mut never = Vec::new();
        for name in unset {
            match hints::setter_of(r.lesson, r.index, &name) {
                Some(cell) => notes.push(hints::unset_by_note(&name, cell)),
                None => never.push(name),
            }
        }
        notes.extend(hints::unset_note(&never));
        for note in notes {
            let event = ExecEvent::Output {
                cell: r.index,
                stream: Stream::Stderr,
                bytes: note.into_bytes(),
            };
            super::emit(r.events, event, r.closing).await;
        }
    }
    outcome
}

/// How long a cell with `until=` waits for its effect without a `timeout=`.
pub const UNTIL_DEFAULT: Duration = Duration::from_secs(60);

/// `until=`: waits for the effect, saying so in the cell's output. None once it is seen (the
/// cell's code runs next); the outcome when it was not (timed out, cancelled).
async fn wait_for(r: &Run<'_>, until: &crate::lesson::Until) -> Option<Outcome> {
    let limit = r.cell.attrs.timeout.unwrap_or(UNTIL_DEFAULT);
    let say = |text: String| ExecEvent::Output {
        cell: r.index,
        stream: Stream::Stdout,
        bytes: text.into_bytes(),
    };
    let waiting = format!(
        "waiting for {until} (up to {})…\n",
        humantime::format_duration(limit)
    );
    super::emit(r.events, say(waiting), r.closing).await;
    let started = Instant::now();
    let (seen, since) = r.seen;
    match seen
        .wait(until, since, (started + limit).into_std(), r.cancel)
        .await
    {
        super::seen::Waited::Seen(found) => {
            let after = found.at.duration_since(since).map_or(String::new(), |d| {
                format!(" {:.1} s after the cell before started", d.as_secs_f64())
            });
            let text = format!("seen{after}: {}\n", found.describe());
            super::emit(r.events, say(text), r.closing).await;
            None
        }
        super::seen::Waited::TimedOut => {
            let text = format!(
                "not seen within {}: {until}\n",
                humantime::format_duration(limit)
            );
            super::emit(r.events, say(text), r.closing).await;
            Some(Outcome::TimedOut { after: limit })
        }
        super::seen::Waited::Cancelled => Some(Outcome::Cancelled),
    }
}

async fn attempts(session: &mut Session, r: &Run<'_>) -> Outcome {
    let (dir, own_dir) = match cell_dir(r.lesson, r.cell, session) {
        Ok(d) => d,
        Err(outcome) => return outcome,
    };
    let attrs = &r.cell.attrs;
    let timeout = attrs.timeout.unwrap_or(r.opts.default_timeout);
    let budget_end = attempt::deadline_after(Instant::now(), attrs.retry);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let started = ExecEvent::Started {
            cell: r.index,
            attempt,
        };
        super::emit(r.events, started, r.closing).await;
        if attempt == 1
            && let Some(until) = &attrs.until
            && let Some(outcome) = wait_for(r, until).await
        {
            return outcome;
        }
        let remaining = budget_end.saturating_duration_since(Instant::now());
        let clamp = attrs.verify && remaining.max(Duration::from_secs(1)) < timeout;
        let this_timeout = if clamp {
            remaining.max(Duration::from_secs(1))
        } else {
            timeout
        };
        let merge = attrs.capture.is_none();
        let started = session
            .start_cell(&r.cell.code, &attrs.env, &dir, merge)
            .await;
        // The next cell's bash starts now, while this one runs.
        session.warm_up();
        let ctx = attempt::Ctx {
            cell: r.index,
            events: r.events,
            cancel: r.cancel,
            closing: r.closing,
            timeout: Some(this_timeout),
            grace: r.opts.grace,
            keep_stdout: attrs.capture.is_some(),
            die_with_parent: false,
            spawned: None,
        };
        let result = match started {
            Ok(started) => attempt::run_started(started, ctx).await,
            Err(e) => attempt::Attempt {
                ending: Ending::SpawnFailed(e),
                stdout: None,
            },
        };
        if let Err(e) = session.absorb(&attrs.env, own_dir) {
            tracing::warn!(cell = r.index, "shell state not carried over: {e}");
        }
        let retry = attrs.verify
            && !r.cancel.is_cancelled()
            && attempt::deadline_after(Instant::now(), attrs.interval) < budget_end;
        match result.ending {
            Ending::Exited(s) if s.success() => return captured(session, r.cell, result.stdout),
            Ending::Exited(_) | Ending::TimedOut(_) if retry => {}
            Ending::Exited(_) if attrs.verify => {
                return Outcome::RetriesExhausted { attempts: attempt };
            }
            Ending::TimedOut(_) if clamp => return Outcome::RetriesExhausted { attempts: attempt },
            Ending::Exited(s) => {
                use std::os::unix::process::ExitStatusExt;
                return Outcome::Failed {
                    code: s.code(),
                    signal: s.signal(),
                };
            }
            Ending::TimedOut(after) => return Outcome::TimedOut { after },
            Ending::Cancelled => return Outcome::Cancelled,
            Ending::SpawnFailed(e) => return spawn_error(session, e),
        }
        tokio::select! {
            _ = tokio::time::sleep(attrs.interval) => {}
            _ = r.cancel.cancelled() => return Outcome::Cancelled,
        }
    }
}

fn captured(
    session: &mut Session,
    cell: &Cell,
    stdout: Option<super::buffer::OutputBuffer>,
) -> Outcome {
    let (Some(var), Some(out)) = (&cell.attrs.capture, stdout) else {
        return Outcome::Passed;
    };
    let Some(bytes) = out.complete() else {
        let message = format!("capture={var}: output too large ({} bytes)", out.total());
        return Outcome::Error { message };
    };
    let value = bytes.trim_ascii();
    if value.contains(&0) {
        return Outcome::Error {
            message: format!("capture={var}: output contains NUL bytes"),
        };
    }
    use std::os::unix::ffi::OsStrExt;
    session.set_var(var, std::ffi::OsStr::from_bytes(value));
    Outcome::Passed
}

pub fn spawn_error(session: &Session, e: std::io::Error) -> Outcome {
    let message = if e.kind() == std::io::ErrorKind::InvalidInput {
        e.to_string()
    } else if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "bash missing: cannot run {} (not found)",
            session.bash().display()
        )
    } else {
        format!("cannot start {}: {e}", session.bash().display())
    };
    Outcome::Error { message }
}
