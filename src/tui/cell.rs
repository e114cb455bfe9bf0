//! A cell on screen: a frame with its id and status, the code, and the folded output.
//!
//! `height` and `lines` must agree: the layout pass sizes every cell with `height` (cheap,
//! no ANSI parsing) and only visible cells are built with `lines`.

use std::time::Duration;

use ansi_to_tui::IntoText;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::app::output::strip_sgr;
use crate::app::{App, CellStatus, EXPANDED_LINES, FOLD_LINES};
use crate::exec::Outcome;
use crate::lesson::CellIndex;

use super::theme::Theme;
use super::wrap::{Piece, hard_wrap, spans_width, wrap};
use super::{cell_frame, effects_block, terminal_cell};
use crate::app::LEAVE;
use crate::exec::term_emulator::Emulator;
use crate::text;

/// Rows one output line may wrap to in the folded view, and expanded: a 4 KB line without
/// newlines must not push the rest of the lesson off the screen.
const FOLDED_WRAP_ROWS: usize = 6;
const EXPANDED_WRAP_ROWS: usize = 60;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Which slice of the output is visible.
struct Window {
    start: usize,
    shown: usize,
    hidden_above: usize,
    hidden_below: usize,
}

fn window(app: &App, cell: CellIndex) -> Option<Window> {
    let run = &app.runs[cell];
    let len = run.output.len();
    if len == 0 && run.output.dropped() == 0 {
        return None;
    }
    let size = if run.expanded {
        EXPANDED_LINES
    } else {
        FOLD_LINES
    };
    let shown = len.min(size);
    let scroll = run.scroll.min(len - shown);
    let start = len - shown - scroll;
    Some(Window {
        start,
        shown,
        hidden_above: start + run.output.dropped(),
        hidden_below: scroll,
    })
}

pub fn height(app: &App, cell: CellIndex, code_rows: usize, width: usize) -> usize {
    let output = if let Some(term) = live_terminal(app, cell) {
        1 + usize::from(term.size().rows)
    } else {
        window(app, cell).map_or(0, |w| {
            let rows = output_row_count(app, cell, &w, width.saturating_sub(1));
            1 + rows + usize::from(w.hidden_above > 0) + usize::from(w.hidden_below > 0)
        })
    };
    let hint = hint_lines(
        app,
        cell,
        width.saturating_sub(1),
        Style::default(),
        &Theme::plain(),
    )
    .len();
    2 + code_rows + output + hint + effects_block::rows(app, cell)
}

/// The emulator of an interactive cell whose program runs (drawn instead of its output).
fn live_terminal(app: &App, cell: CellIndex) -> Option<&Emulator> {
    app.shows_terminal(cell)
        .then(|| app.runs[cell].term.as_ref())
        .flatten()
}

fn terminal_lines(app: &App, cell: CellIndex, inner: usize, theme: &Theme) -> Vec<Line<'static>> {
    let Some(term) = live_terminal(app, cell) else {
        return Vec::new();
    };
    let frame = theme.frame(app.focus == Some(cell));
    let has_keys = app.term_focus == Some(cell);
    let script = app
        .script
        .as_ref()
        .filter(|s| s.cell == cell)
        .and_then(|s| s.next_words())
        .filter(|w| !w.is_empty());
    let label = if let (true, Some(next)) = (has_keys, script) {
        format!("├─ terminal · any key types `{next}` · {LEAVE} leaves ")
    } else if has_keys {
        format!("├─ terminal · keys go to the program · {LEAVE} leaves ")
    } else {
        "├─ terminal · ⏎ to type into it ".to_string()
    };
    let mut out = vec![cell_frame::rule(
        vec![Span::styled(label, frame)],
        inner,
        frame,
        "┤",
    )];
    for row in terminal_cell::rows(term, has_keys, theme) {
        let mut spans = vec![Span::styled("│ ", frame)];
        spans.extend(row.spans);
        out.push(cell_frame::close(Line::from(spans), inner, frame));
    }
    out
}

fn hint_text(app: &App, cell: CellIndex) -> Option<String> {
    let failed = matches!(
        &app.runs[cell].status,
        CellStatus::Done { outcome, .. } if !outcome.is_success() && !matches!(outcome, Outcome::Skipped { .. })
    ) || app.runs[cell].status == CellStatus::Earlier { passed: false };
    if !failed {
        return None;
    }
    app.cells[cell].hint.clone()
}

/// The hint wrapped inside the frame (`inner` columns): it is read whole, never cut to `…`.
fn hint_lines(
    app: &App,
    cell: CellIndex,
    inner: usize,
    frame: Style,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(hint) = hint_text(app, cell) else {
        return Vec::new();
    };
    let first = [Span::styled("│ ", frame)];
    let rest = [Span::styled("│       ", frame)];
    let text = [(format!("hint: {hint}"), theme.notice())];
    wrap(&text, inner.saturating_sub(1).max(10), &first, &rest)
}

pub fn lines(
    app: &App,
    cell: CellIndex,
    code: &[Line<'static>],
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let focused = app.focus == Some(cell);
    let frame = theme.frame(focused);
    // Columns left of the right border.
    let inner = width.saturating_sub(1);
    let mut out = Vec::with_capacity(code.len() + 4);
    let mut top = top(app, cell, inner, frame, theme);
    top.spans.push(Span::styled("╮", frame));
    out.push(top);
    let close = |line: Line<'static>| cell_frame::close(line, inner, frame);
    out.extend(code.iter().cloned().map(close));
    out.extend(
        hint_lines(app, cell, inner, frame, theme)
            .into_iter()
            .map(close),
    );
    let terminal = terminal_lines(app, cell, inner, theme);
    let shows_terminal = !terminal.is_empty();
    out.extend(terminal);
    if let Some(w) = window(app, cell).filter(|_| !shows_terminal) {
        let run = &app.runs[cell];
        let words = text::of(app.lang);
        let mut header = vec![Span::styled(words.output_rule(), frame)];
        if matches!(run.status, CellStatus::Earlier { .. }) {
            header.push(Span::styled(words.earlier_session_output(), theme.dim()));
        }
        if run.no_wrap {
            let at = format!("· not wrapped, from column {} · ←/→ w ", run.pan + 1);
            header.push(Span::styled(at, theme.dim()));
        }
        out.push(cell_frame::rule(header, inner, frame, "┤"));
        if w.hidden_above > 0 {
            let text = words.earlier_lines(w.hidden_above);
            out.push(close(Line::from(vec![
                Span::styled("│ ", frame),
                Span::styled(text, theme.dim()),
            ])));
        }
        out.extend(
            output_rows(app, cell, &w, inner, frame, theme)
                .into_iter()
                .map(close),
        );
        if w.hidden_below > 0 {
            let text = words.newer_lines(w.hidden_below);
            out.push(close(Line::from(vec![
                Span::styled("│ ", frame),
                Span::styled(text, theme.dim()),
            ])));
        }
    }
    out.extend(effects_block::lines(app, cell, inner, frame, theme));
    let mut bottom = vec![Span::styled("╰─", frame)];
    if app.term_focus == Some(cell) {
        let keys = format!(" {LEAVE} leave · then Ctrl-C stops it ");
        bottom.push(Span::styled(keys, theme.dim()));
    } else if shows_terminal && focused {
        bottom.push(Span::styled(" ⏎ type into it · Ctrl-C stop ", theme.dim()));
    } else if focused && app.cells[cell].runnable {
        let keys = text::of(app.lang).cell_keys(app.runs[cell].edited.is_some());
        bottom.push(Span::styled(keys, theme.dim()));
    }
    out.push(cell_frame::rule(bottom, inner, frame, "╯"));
    out
}

/// The screen rows of the visible output lines inside the frame (`inner` columns): each line
/// wrapped whole by default, so an address or an error is never cut where it matters; cut at
/// the border and scrolled sideways by `pan` columns when the user turned wrapping off. A line
/// too long for the folded view says how much is left and how to read it.
fn output_rows(
    app: &App,
    cell: CellIndex,
    w: &Window,
    inner: usize,
    frame: Style,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let run = &app.runs[cell];
    let prefix = [Span::styled("│ ", frame)];
    let most = if run.expanded {
        EXPANDED_WRAP_ROWS
    } else {
        FOLDED_WRAP_ROWS
    };
    let mut rows = Vec::with_capacity(w.shown);
    for line in run.output.lines().skip(w.start).take(w.shown) {
        let styled = output_line(line, theme);
        if run.no_wrap {
            let mut spans = prefix.to_vec();
            spans.extend(skip_columns(styled.spans, run.pan));
            rows.push(Line::from(spans));
            continue;
        }
        let pieces: Vec<Piece> = styled
            .spans
            .into_iter()
            .map(|s| (s.content.into_owned(), s.style))
            .collect();
        let mut wrapped = hard_wrap(&pieces, inner, &prefix, &prefix);
        if wrapped.len() > most {
            let left: usize = wrapped[most - 1..]
                .iter()
                .map(|l| spans_width(&l.spans) - 2)
                .sum();
            wrapped.truncate(most - 1);
            let how = if run.expanded { "w" } else { "o expand · w" };
            let text = format!("… {left} more columns of this line ({how} no-wrap)");
            wrapped.push(Line::from(vec![
                Span::styled("│ ", frame),
                Span::styled(text, theme.dim()),
            ]));
        }
        rows.extend(wrapped);
    }
    rows
}

/// How many rows [`output_rows`] makes, without building them: the layout asks for every
/// cell on every frame. A line no longer in bytes than the frame is wide fits in one row (no
/// character is wider than its UTF-8 encoding is long); only longer ones are wrapped, on their
/// text without colours, to count.
fn output_row_count(app: &App, cell: CellIndex, w: &Window, inner: usize) -> usize {
    let run = &app.runs[cell];
    let lines = run.output.lines().skip(w.start).take(w.shown);
    if run.no_wrap {
        return lines.count();
    }
    let most = if run.expanded {
        EXPANDED_WRAP_ROWS
    } else {
        FOLDED_WRAP_ROWS
    };
    let prefix = [Span::raw("│ ")];
    lines
        .map(|line| {
            if line.len() + 2 <= inner {
                return 1;
            }
            let plain = [(strip_sgr(line), Style::default())];
            hard_wrap(&plain, inner, &prefix, &prefix).len().min(most)
        })
        .sum()
}

/// The spans without their first `columns` display columns (whole clusters: a wide one
/// straddling the cut is dropped).
fn skip_columns(spans: Vec<Span<'static>>, columns: usize) -> Vec<Span<'static>> {
    let mut skipped = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        if skipped >= columns {
            out.push(span);
            continue;
        }
        let mut kept = String::new();
        for (g, gw) in super::width::graphemes(&span.content) {
            if skipped < columns {
                skipped += gw;
            } else {
                kept.push_str(g);
            }
        }
        if !kept.is_empty() {
            out.push(Span::styled(kept, span.style));
        }
    }
    out
}

/// A stored output line (SGR only) as styled spans; plain text when colours are off.
fn output_line(line: &str, theme: &Theme) -> Line<'static> {
    if !theme.color || !line.contains('\x1b') {
        return Line::raw(strip_sgr(line));
    }
    match line.as_bytes().into_text() {
        Ok(text) => text.lines.into_iter().next().unwrap_or_default(),
        Err(_) => Line::raw(strip_sgr(line)),
    }
}

fn top(app: &App, cell: CellIndex, width: usize, frame: Style, theme: &Theme) -> Line<'static> {
    let info = &app.cells[cell];
    let marker = if app.focus == Some(cell) { "▶ " } else { "" };
    let mut left = format!("╭─ {marker}{} ", info.id);
    let (status, style) = status(app, cell, theme);
    let right = format!(" {status} ─");
    let room = width.saturating_sub(right.width());
    left = truncate(&left, room.max(4));
    let fill = width.saturating_sub(left.width() + right.width());
    Line::from(vec![
        Span::styled(left, frame),
        Span::styled("─".repeat(fill), frame),
        Span::styled(format!(" {status}"), style),
        Span::styled(" ─", frame),
    ])
}

/// The status label of a cell and its style.
pub fn status(app: &App, cell: CellIndex, theme: &Theme) -> (String, Style) {
    let info = &app.cells[cell];
    let run = &app.runs[cell];
    let words = text::of(app.lang);
    let mut label = match &run.status {
        CellStatus::Idle if !info.runnable => (words.shown_only().to_string(), theme.dim()),
        CellStatus::Idle if info.interactive => (words.interactive().to_string(), theme.dim()),
        CellStatus::Idle if app.typing.as_ref().is_some_and(|t| t.cell == cell) => {
            (words.typing().to_string(), theme.busy())
        }
        CellStatus::Idle => (words.idle().to_string(), theme.dim()),
        CellStatus::Queued => (words.queued().to_string(), theme.busy()),
        CellStatus::Running { since, attempt } => {
            let spin = SPINNER[app.spinner % SPINNER.len()];
            let elapsed = fmt_duration(app.now.saturating_duration_since(*since));
            (
                format!("{spin} {}", words.running(&elapsed, *attempt)),
                theme.busy(),
            )
        }
        CellStatus::Done { outcome, duration } => outcome_label(words, outcome, *duration, theme),
        // Its process did not survive the restart: "passed" would say it still serves.
        CellStatus::Earlier { passed: true } if app.cells[cell].background => {
            (words.not_running_earlier().to_string(), theme.dim())
        }
        CellStatus::Earlier { passed: true } => (words.passed_earlier().to_string(), theme.ok()),
        CellStatus::Earlier { passed: false } => (words.failed_earlier().to_string(), theme.bad()),
    };
    if let Some(job) = &run.job {
        let state = match job.exited {
            None => words.job_up(
                job.pid,
                &fmt_duration(app.now.saturating_duration_since(job.since)),
            ),
            Some(Some(code)) => words.job_exited(code),
            Some(None) => words.job_killed().to_string(),
        };
        label.0.push_str(&state);
    }
    let ran = run.ran_edited && run.status != CellStatus::Idle;
    if ran {
        label.0.push_str(words.ran_edited());
    } else if run.edited.is_some() {
        label.0.push_str(words.edited());
    }
    label
}

fn outcome_label(
    words: &dyn text::Strings,
    outcome: &Outcome,
    duration: Duration,
    theme: &Theme,
) -> (String, Style) {
    let d = fmt_duration(duration);
    match outcome {
        Outcome::Passed => (words.passed(&d), theme.ok()),
        Outcome::Failed {
            code: Some(code), ..
        } => (words.exit(*code, &d), theme.bad()),
        Outcome::Failed {
            signal: Some(sig), ..
        } => (words.signal(*sig, &d), theme.bad()),
        Outcome::Failed { .. } => (words.failed(&d), theme.bad()),
        Outcome::Cancelled => (words.cancelled(&d), theme.bad()),
        Outcome::TimedOut { after } => (words.timed_out(&fmt_duration(*after)), theme.bad()),
        Outcome::RetriesExhausted { attempts } => (words.not_ready(*attempts, &d), theme.bad()),
        Outcome::Skipped { reason } => (words.skipped(reason), theme.dim()),
        Outcome::Error { message } => (words.error(message), theme.bad()),
        Outcome::Refused { message } => (words.refused(message), theme.bad()),
    }
}

/// `0.4s`, `12s`, `3m05s`, `1h02m`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..10 => format!("{:.1}s", d.as_secs_f64()),
        10..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

pub use super::width::truncate;
