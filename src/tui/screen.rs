//! The whole screen: lesson column, pane column, status bar, overlays, "too small".

use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph, Widget, Wrap};
use ratatui::{Frame, Terminal};

use super::keymap::HELP;
use crate::app::{Action, App, Effect, Overlay, StepStatus};
use crate::lesson::CellIndex;
use crate::text;

use super::cell::{self, truncate};
use super::jobs_pane;
use super::lesson_view::LessonView;
use super::pods_pane::PodsPane;
use super::sentinel_pane::SentinelPane;
use super::theme::Theme;
use super::wrap::wrap;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr as _;

/// Below this the layout cannot show a lesson sensibly.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// The pane column needs this many columns (90 at the default split) and the lesson column
/// [`MIN_WIDTH`]; below that the panes are hidden and a line says so.
const PANE_MIN_WIDTH: u16 = 34;

/// One frame: the view measures the lesson, the app takes the geometry (`Action::Laid`: reveal
/// and scroll clamping are state changes, so they go through `App::update`), then [`draw`]
/// renders the state as it now is. Returns what taking the geometry asks for (interactive
/// cells' terminals resized to their frames), for the caller to perform.
pub fn frame<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    view: &mut LessonView,
) -> Result<Vec<Effect>, B::Error> {
    let size = terminal.size()?;
    let mut effects = Vec::new();
    if let Some(areas) = Areas::of(app, Rect::new(0, 0, size.width, size.height)) {
        let geometry = view.measure(app, areas.lesson);
        effects = app.update(Action::Laid(geometry));
    }
    terminal.draw(|f| draw(f, app, view))?;
    Ok(effects)
}

/// Where the lesson, the panes and the status bar go; None when the terminal is too small.
struct Areas {
    lesson: Rect,
    panes: Option<Rect>,
    /// The line that says the panes are hidden, and why.
    hidden: Option<Rect>,
    status: Rect,
}

/// Columns the terminal needs for the panes with the lesson column at `percent`.
fn panes_need(percent: u16) -> u16 {
    let pane = (u32::from(PANE_MIN_WIDTH) * 100).div_ceil(u32::from(100 - percent));
    let lesson = (u32::from(MIN_WIDTH) * 100).div_ceil(u32::from(percent));
    pane.max(lesson) as u16
}

/// The split `<` / `>` can reach (update.rs clamps it to 30..=85).
fn panes_need_at_best() -> u16 {
    (30..=85).map(panes_need).min().unwrap_or(u16::MAX)
}

impl Areas {
    fn of(app: &App, area: Rect) -> Option<Self> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let [main, status] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let fits = area.width >= panes_need(app.panes.lesson_percent);
        let show_panes = app.panes.any() && fits;
        let (main, hidden) = if app.panes.any() && !fits {
            let rows = hidden_text(app, area.width)
                .width()
                .div_ceil(usize::from(area.width));
            let rows = rows.clamp(1, 3) as u16;
            let [main, hidden] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(main);
            (main, Some(hidden))
        } else {
            (main, None)
        };
        let (lesson, panes) = if show_panes {
            let [l, r] = Layout::horizontal([
                Constraint::Percentage(app.panes.lesson_percent),
                Constraint::Percentage(100 - app.panes.lesson_percent),
            ])
            .areas(main);
            (l, Some(r))
        } else {
            (main, None)
        };
        // One column of margin on each side keeps text off the pane borders.
        let lesson = Rect {
            x: lesson.x + 1,
            width: lesson.width.saturating_sub(2),
            ..lesson
        };
        Some(Self {
            lesson,
            panes,
            hidden,
            status,
        })
    }
}

/// Renders the state; reads `app` and the view's layout, changes neither.
pub fn draw(frame: &mut Frame<'_>, app: &App, view: &LessonView) {
    let area = frame.area();
    let theme = *view.theme();
    let Some(areas) = Areas::of(app, area) else {
        too_small(area, frame.buffer_mut());
        return;
    };
    view.render(app, areas.lesson, frame.buffer_mut());
    if let Some(r) = areas.panes {
        panes(app, r, frame.buffer_mut(), &theme);
    }
    if let Some(r) = areas.hidden {
        hidden_panes(app, r, frame.buffer_mut(), &theme);
    }
    if app.overlay == Some(Overlay::Search) {
        search_prompt(app, areas.status, frame.buffer_mut(), &theme);
        return;
    }
    status_bar(app, areas.status, frame.buffer_mut(), &theme);
    if let Some(overlay) = &app.overlay {
        draw_overlay(app, overlay, area, frame.buffer_mut(), &theme);
    }
}

pub fn too_small(area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "{}x{}, need {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .centered()
        .render(area, buf);
}

fn panes(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut shown: Vec<(&str, Constraint)> = Vec::new();
    if app.panes.pods {
        shown.push(("pods", Constraint::Fill(2)));
    }
    if app.panes.sentinel {
        shown.push(("sentinel", Constraint::Fill(2)));
    }
    if app.panes.jobs {
        shown.push(("jobs", Constraint::Fill(1)));
    }
    let areas = Layout::vertical(shown.iter().map(|(_, c)| *c)).split(area);
    for ((name, _), rect) in shown.iter().zip(areas.iter()) {
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.dim())
            .title(Span::styled(format!(" {name} "), theme.title()));
        let inner = block.inner(*rect);
        block.render(*rect, buf);
        match *name {
            "pods" => match &app.pods {
                Some(view) => PodsPane::new(view, app.wall)
                    .theme(*theme)
                    .scope(&app.pods_scope)
                    .render(inner, buf),
                None => placeholder(&app.pods_state, inner, buf, theme),
            },
            "sentinel" => match &app.sentinel {
                Some(view) => SentinelPane {
                    view,
                    theme: *theme,
                    lesson_complete: app.lesson_complete(),
                    lang: app.lang,
                }
                .render(inner, buf),
                None => placeholder(&app.sentinel_state, inner, buf, theme),
            },
            _ => jobs_pane::render(app, inner, buf, theme),
        }
    }
}

/// Why the panes are hidden, what width they need and what helps.
fn hidden_text(app: &App, width: u16) -> String {
    let need = panes_need(app.panes.lesson_percent);
    let best = panes_need_at_best();
    let help = if width >= best {
        "`<`/`>` to resize".to_string()
    } else {
        "widen the terminal, 1/2/3 turn them off".to_string()
    };
    format!("panes hidden: needs ≥ {need} columns (now {width}), {help}")
}

fn hidden_panes(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Paragraph::new(Span::styled(hidden_text(app, area.width), theme.dim()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn placeholder(state: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Paragraph::new(Span::styled(state.to_string(), theme.dim()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

/// The status bar while a search is typed: the query, how many lines hold it, the keys.
fn search_prompt(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let query = app.search.as_ref().map_or("", |s| s.query.as_str());
    let found = app.geometry.matches.len();
    let words = text::of(app.lang);
    let count = if query.is_empty() {
        String::new()
    } else {
        words.search_found(found)
    };
    let keys = words.search_keys();
    let width = usize::from(area.width);
    let prompt = truncate(
        &format!(" /{query}▌"),
        width.saturating_sub(count.width()).max(4),
    );
    let mut spans = vec![
        Span::styled(prompt, theme.title()),
        Span::styled(count, if found == 0 { theme.bad() } else { theme.ok() }),
    ];
    let used: usize = spans.iter().map(Span::width).sum();
    if used + keys.width() <= width {
        spans.push(Span::styled(keys, theme.dim()));
    }
    Paragraph::new(Line::from(spans))
        .style(theme.status_bar())
        .render(area, buf);
}

fn status_bar(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let width = usize::from(area.width);
    let words = text::of(app.lang);
    let always = format!("  {} ", words.always_hints());
    // The keys that open help and quit are never pushed off: the left part gives way first.
    // So do the context and last result for a notice, up to two thirds of the rest.
    let rest = width.saturating_sub(always.width());
    let reserve = match &app.notice {
        Some(n) => (n.width() + 1).min(rest * 2 / 3),
        None => 8,
    };
    let left = fit_spans(status_left(app, theme), rest.saturating_sub(reserve));
    let left_width: usize = left.iter().map(Span::width).sum();
    let room = rest.saturating_sub(left_width + 1);
    let mut spans = left;
    let right = match &app.notice {
        Some(n) => notice_spans(n, words.more_hint(), room, theme),
        None if app.term_focus.is_some() => {
            vec![Span::raw(truncate(words.term_hints(), room))]
        }
        None if app.present => vec![Span::raw(leading_hints(
            words.present_hints(),
            words.always_hints(),
            room,
        ))],
        None => vec![Span::raw(leading_hints(
            words.hints(),
            words.always_hints(),
            room,
        ))],
    };
    let right_width: usize = right.iter().map(Span::width).sum();
    let pad = width.saturating_sub(left_width + right_width + always.width());
    spans.push(Span::raw(" ".repeat(pad.max(1))));
    spans.extend(right);
    spans.push(Span::raw(always));
    Paragraph::new(Line::from(spans))
        .style(theme.status_bar())
        .render(area, buf);
}

/// Context, namespace, step and the last result.
fn status_left(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    let meta_ns = app
        .lesson
        .meta
        .namespace
        .clone()
        .unwrap_or_else(|| "-".into());
    let (ctx, ns) = match &app.cluster {
        Some(c) => (c.context.clone(), c.namespace.clone()),
        None => ("-".to_string(), meta_ns),
    };
    let steps = app.lesson.steps.len();
    let step = if steps == 0 {
        "-".to_string()
    } else {
        format!("{}/{steps}", app.step + 1)
    };
    let mut spans = Vec::new();
    if app.present {
        spans.push(Span::styled(" PRESENT ", theme.badge()));
    }
    let words = text::of(app.lang);
    spans.push(Span::raw(words.status(&ctx, &ns, &step)));
    match &app.last_result {
        Some((cell, _)) => {
            let (label, style) = cell::status(app, *cell, theme);
            spans.push(Span::styled(
                format!("{} {label}", app.cells[*cell].id),
                style,
            ));
        }
        None => spans.push(Span::raw(words.no_runs_yet())),
    }
    if app.lesson_complete() {
        spans.push(Span::styled(words.lesson_complete(), theme.ok()));
    }
    if app.workshop_unpublished {
        spans.push(Span::styled(words.workshop_unpublished(), theme.bad()));
    }
    spans
}

/// The spans cut to `room` columns, the last kept one ending in `…`.
fn fit_spans(spans: Vec<Span<'static>>, room: usize) -> Vec<Span<'static>> {
    let mut left = room;
    let mut out = Vec::new();
    for span in spans {
        if left == 0 {
            break;
        }
        let text = truncate(&span.content, left);
        left = left.saturating_sub(text.width());
        out.push(Span::styled(text, span.style));
    }
    out
}

/// A notice that fits, or its start and `! more` (the `!` overlay has it in full).
fn notice_spans(notice: &str, more_hint: &str, room: usize, theme: &Theme) -> Vec<Span<'static>> {
    if notice.width() <= room {
        return vec![Span::styled(notice.to_string(), theme.notice())];
    }
    let more = format!("  {more_hint}");
    if room < more.width() + 2 {
        return vec![Span::raw(truncate(more_hint, room))];
    }
    let cut = truncate(notice, room.saturating_sub(more.width()));
    vec![Span::styled(cut, theme.notice()), Span::raw(more)]
}

/// The `hints` before `always` (kept at every width) that fit in `room`, whole, from the left.
fn leading_hints(hints: &str, always: &str, room: usize) -> String {
    let rest = hints.strip_suffix(always).unwrap_or(hints).trim_end();
    let mut shown = String::new();
    for hint in rest.split("  ") {
        let next = if shown.is_empty() {
            hint.to_string()
        } else {
            format!("{shown}  {hint}")
        };
        if next.width() > room {
            break;
        }
        shown = next;
    }
    shown
}

/// What quitting after a failure offers to run: the `always=true` cells, by id.
fn cleanup_lines(app: &App, cells: &[CellIndex], theme: &Theme) -> Vec<Line<'static>> {
    const SHOWN: usize = 6;
    let mut lines = vec![
        Line::from("A command failed. This lesson marks these cleanup commands"),
        Line::from("(always=true) to run even then:"),
    ];
    for &c in cells.iter().take(SHOWN) {
        lines.push(Line::styled(
            format!("  {}", app.cells[c].id),
            theme.title(),
        ));
    }
    if cells.len() > SHOWN {
        lines.push(Line::from(format!("  …and {} more", cells.len() - SHOWN)));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "y = run them, then quit · n = quit as is · Esc = stay",
        theme.notice(),
    ));
    lines
}

fn draw_overlay(app: &App, overlay: &Overlay, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let words = text::of(app.lang);
    let (title, lines): (String, Vec<Line<'static>>) = match overlay {
        // Typed in the status bar (search_prompt), no box over the matches.
        Overlay::Search => return,
        Overlay::Help { scroll } => {
            let lines = help_lines(app, theme);
            // Box frame: two rows; the rest shows the keys from `scroll` on.
            let room = usize::from(area.height).saturating_sub(2).max(1);
            let title = words.help_title();
            if lines.len() <= room {
                (title.to_string(), lines)
            } else {
                let from = (*scroll).min(lines.len() - room);
                let more = from + room < lines.len();
                let title = format!("{title} · {}", words.help_scroll(more));
                (title, lines.into_iter().skip(from).take(room).collect())
            }
        }
        Overlay::Notices => (
            words.notices_title().to_string(),
            notice_lines(app, area, theme),
        ),
        Overlay::AskEnv { prompts, input, .. } => (
            "the lesson asks for a value".to_string(),
            ask_env_lines(prompts, input, theme),
        ),
        Overlay::Steps { selected, typed } => (
            words.steps_title().to_string(),
            step_list_lines(app, *selected, typed, area, theme),
        ),
        Overlay::ConfirmQuit => {
            let running = app.runs.iter().filter(|r| r.status.is_active()).count();
            let jobs = app.jobs_alive();
            (
                words.quit_title().to_string(),
                vec![
                    Line::from(words.quit_text(running, jobs)),
                    Line::from(""),
                    Line::styled(words.quit_question(), theme.notice()),
                ],
            )
        }
        Overlay::ConfirmCleanup { cells } => (
            "clean up before quitting?".to_string(),
            cleanup_lines(app, cells, theme),
        ),
        Overlay::ConfirmCluster { target, .. } => {
            let [context, cluster, namespace] = words.cluster_labels();
            (
                words.cluster_title().to_string(),
                vec![
                    Line::from(vec![
                        Span::raw(context),
                        Span::styled(target.context.clone(), theme.title()),
                    ]),
                    Line::from(vec![
                        Span::raw(cluster),
                        Span::styled(target.cluster_url.clone(), theme.title()),
                    ]),
                    Line::from(vec![
                        Span::raw(namespace),
                        Span::styled(target.namespace.clone(), theme.title()),
                    ]),
                    Line::from(""),
                    Line::styled(words.cluster_note(), theme.dim()),
                    Line::styled(words.cluster_question(), theme.notice()),
                ],
            )
        }
    };
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(10)
        .max(title.width() + 4) as u16
        + 4;
    let height = lines.len() as u16 + 2;
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.notice())
        .title(Span::styled(format!(" {title} "), theme.title()))
        .padding(Padding::horizontal(1));
    Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .render(rect, buf);
}

/// The kept notices, newest first, wrapped to the overlay's width so none is cut.
fn notice_lines(app: &App, area: Rect, theme: &Theme) -> Vec<Line<'static>> {
    if app.notices.is_empty() {
        return vec![Line::styled(text::of(app.lang).no_notices(), theme.dim())];
    }
    let width = usize::from(area.width).saturating_sub(6).clamp(10, 100);
    let bullet = [Span::styled("• ", theme.notice())];
    let indent = [Span::raw("  ")];
    app.notices
        .iter()
        .rev()
        .flat_map(|n| wrap(&[(n.clone(), Style::default())], width, &bullet, &indent))
        .collect()
}

/// Runme's promptEnv as a question: the variable, what the author wrote (a question, or a
/// default to confirm), the answer being typed, and how many questions follow.
fn ask_env_lines(
    prompts: &[crate::lesson::EnvPrompt],
    input: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(p) = prompts.first() else {
        return Vec::new();
    };
    let mut lines = vec![Line::from(vec![
        Span::raw("export "),
        Span::styled(p.name.clone(), theme.title()),
    ])];
    if let Some(question) = &p.message {
        lines.push(Line::styled(format!("“{question}”"), theme.dim()));
    }
    if let Some(default) = &p.default {
        lines.push(Line::styled(
            format!("default: {default} (Enter keeps it)"),
            theme.dim(),
        ));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("> ", theme.notice()),
        Span::raw(input.to_string()),
        Span::styled("▌", theme.notice()),
    ]));
    lines.push(Line::from(""));
    let more = match prompts.len() {
        1 => String::new(),
        n => format!(" · {} more after this", n - 1),
    };
    lines.push(Line::styled(
        format!("Enter = use it · Esc = do not run{more}"),
        theme.notice(),
    ));
    lines.push(Line::styled(
        "Kept for this session only, never saved.",
        theme.dim(),
    ));
    lines
}

/// The step list: each step's mark (✓ ✗ ○, text under NO_COLOR), number, title and cells
/// passed, the selected one highlighted, windowed around the selection on a short screen.
fn step_list_lines(
    app: &App,
    selected: usize,
    typed: &str,
    area: Rect,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let words = text::of(app.lang);
    let steps = &app.lesson.steps;
    let done = (0..steps.len())
        .filter(|&s| app.step_status(s) == Some(StepStatus::Done))
        .count();
    let mut lines = vec![
        Line::styled(words.steps_done(done, steps.len()), theme.dim()),
        Line::from(""),
    ];
    // Title, blank, the list, blank, the key line, and the frame.
    let room = usize::from(area.height).saturating_sub(7).max(1);
    let first = selected
        .saturating_sub(room / 2)
        .min(steps.len().saturating_sub(room));
    let number_width = steps.len().to_string().len();
    let title_width = usize::from(area.width)
        .saturating_sub(number_width + 22)
        .clamp(10, 60);
    for (i, step) in steps.iter().enumerate().skip(first).take(room) {
        let (mark, style) = match app.step_status(i) {
            Some(StepStatus::Done) => ("✓", theme.ok()),
            Some(StepStatus::Failed) => ("✗", theme.bad()),
            Some(StepStatus::NotRun) => ("○", theme.dim()),
            None => ("·", theme.dim()),
        };
        let (passed, total) = app.step_progress(i);
        let cells = if total == 0 {
            words.step_reading().to_string()
        } else {
            format!("{passed}/{total}")
        };
        let here = if i == app.step { "▶" } else { " " };
        let title = truncate(&step.title, title_width);
        // Padded by display width: a CJK title is two columns a character.
        let pad = " ".repeat(title_width.saturating_sub(title.width()));
        let cells_pad = " ".repeat(7usize.saturating_sub(cells.width()));
        let row = format!(
            "{here} {:>number_width$}  {title}{pad}  {cells_pad}{cells}",
            i + 1
        );
        let row_style = if i == selected {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style.patch(row_style)),
            Span::styled(row, row_style),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(words.steps_keys(typed), theme.notice()));
    lines
}

fn help_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let words = text::of(app.lang);
    let key_width = HELP
        .iter()
        .map(|b| b.keys.chars().count())
        .max()
        .unwrap_or(0);
    HELP.iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<key_width$}  ", b.keys), theme.notice()),
                Span::raw(words.help_what(b.keys, b.what)),
            ])
        })
        .collect()
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
