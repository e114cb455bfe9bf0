//! The whole screen: lesson column, pane column, status bar, overlays, "too small".

use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph, Widget, Wrap};
use ratatui::{Frame, Terminal};

use super::keymap::{HELP, HINTS, PRESENT_HINTS, TERM_HINTS};
use crate::app::{Action, App, Effect, Overlay};
use crate::lesson::CellIndex;

use super::cell::{self, truncate};
use super::jobs_pane;
use super::lesson_view::LessonView;
use super::pods_pane::PodsPane;
use super::sentinel_pane::SentinelPane;
use super::theme::Theme;
use unicode_width::UnicodeWidthStr as _;

/// Below this the layout cannot show a lesson sensibly.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// Panes are hidden on terminals narrower than this.
const PANES_MIN_WIDTH: u16 = 90;

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
    status: Rect,
}

impl Areas {
    fn of(app: &App, area: Rect) -> Option<Self> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let [main, status] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let show_panes = app.panes.any() && area.width >= PANES_MIN_WIDTH;
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
                }
                .render(inner, buf),
                None => placeholder(&app.sentinel_state, inner, buf, theme),
            },
            _ => jobs_pane::render(app, inner, buf, theme),
        }
    }
}

fn placeholder(state: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Paragraph::new(Span::styled(state.to_string(), theme.dim()))
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn status_bar(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
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
    spans.push(Span::raw(format!(" ctx {ctx} │ ns {ns} │ step {step} │ ")));
    match &app.last_result {
        Some((cell, _)) => {
            let (label, style) = cell::status(app, *cell, theme);
            spans.push(Span::styled(
                format!("{} {label}", app.cells[*cell].id),
                style,
            ));
        }
        None => spans.push(Span::raw("no runs yet")),
    }
    if app.lesson_complete() {
        spans.push(Span::styled(" │ ✓ lesson complete", theme.ok()));
    }
    let left_width: usize = spans.iter().map(|s| s.width()).sum();
    let room = usize::from(area.width).saturating_sub(left_width + 3);
    let (right, style) = match &app.notice {
        Some(n) => (n.as_str(), theme.notice()),
        None if app.term_focus.is_some() => (TERM_HINTS, theme.status_bar()),
        None if app.present => (PRESENT_HINTS, theme.status_bar()),
        None => (HINTS, theme.status_bar()),
    };
    let right = truncate(right, room);
    let pad = usize::from(area.width).saturating_sub(left_width + right.width() + 1);
    spans.push(Span::raw(" ".repeat(pad.max(1))));
    spans.push(Span::styled(right, style));
    Paragraph::new(Line::from(spans))
        .style(theme.status_bar())
        .render(area, buf);
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
    let (title, lines): (&str, Vec<Line<'static>>) = match overlay {
        Overlay::Help => ("keys", help_lines(theme)),
        Overlay::ConfirmQuit => {
            let running = app.runs.iter().filter(|r| r.status.is_active()).count();
            let jobs = app.jobs_alive();
            let text = format!("{running} command(s) running, {jobs} background job(s) up.");
            let question = "Quit and stop them? y = quit, n = stay";
            (
                "quit?",
                vec![
                    Line::from(text),
                    Line::from(""),
                    Line::styled(question, theme.notice()),
                ],
            )
        }
        Overlay::ConfirmCleanup { cells } => (
            "clean up before quitting?",
            cleanup_lines(app, cells, theme),
        ),
        Overlay::ConfirmCluster { target, .. } => (
            "run against this cluster?",
            vec![
                Line::from(vec![
                    Span::raw("context    "),
                    Span::styled(target.context.clone(), theme.title()),
                ]),
                Line::from(vec![
                    Span::raw("cluster    "),
                    Span::styled(target.cluster_url.clone(), theme.title()),
                ]),
                Line::from(vec![
                    Span::raw("namespace  "),
                    Span::styled(target.namespace.clone(), theme.title()),
                ]),
                Line::from(""),
                Line::styled(
                    "Commands will run with a private kubeconfig for this target.",
                    theme.dim(),
                ),
                Line::styled("y = run, n = cancel", theme.notice()),
            ],
        ),
    };
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(10)
        .max(title.len() + 4) as u16
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

fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let key_width = HELP
        .iter()
        .map(|b| b.keys.chars().count())
        .max()
        .unwrap_or(0);
    HELP.iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<key_width$}  ", b.keys), theme.notice()),
                Span::raw(b.what),
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
