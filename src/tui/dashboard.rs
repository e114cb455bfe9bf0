//! The instructor's dashboard on screen: the room's summary, one row per learner (who needs
//! help in red and first), and the selected learner's last failed output. The state is
//! [`Dashboard`] (app/dashboard.rs); [`draw`] only reads it. [`run`] feeds it from a kube-rs
//! watch over the workshop's progress ConfigMaps (a read after each change, coalesced) and a
//! one-second clock that moves running times and the stuck / idle marks without asking the
//! API again.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::{FutureExt, StreamExt};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row as TableRow, Table, TableState, Wrap};
use tokio::sync::mpsc;

use super::runtime::Signals;
use super::terminal::TerminalGuard;
use super::theme::Theme;
use crate::app::dashboard::{DashAction, Dashboard};
use crate::lesson::escape::controls;
use crate::workshop::Instructor;
use crate::workshop::progress::now_millis;
use crate::workshop::status::{self, Row};

/// Changes closer together than this are read once.
const COALESCE: Duration = Duration::from_millis(250);

/// `12s`, `3m05s`, `1h02m`; `-` when unknown.
pub fn secs(s: Option<u64>) -> String {
    s.map(|s| match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    })
    .unwrap_or_else(|| "-".into())
}

/// What a row says beside its numbers: stuck, failing, idle, behind.
pub fn marks(r: &Row) -> String {
    let mut marks = Vec::new();
    if r.deleting {
        marks.push("namespace being deleted".to_string());
    }
    if r.stuck {
        let cell = r.failing.as_deref().unwrap_or("");
        marks.push(format!("STUCK {cell} {}", secs(r.failing_secs)));
    } else if let Some(f) = &r.failing {
        marks.push(format!("failing {f} {}", secs(r.failing_secs)));
    }
    if r.idle {
        marks.push("idle".into());
    }
    if r.behind {
        marks.push("behind".into());
    }
    marks.join(", ")
}

pub fn step_text(r: &Row) -> String {
    match r.step {
        Some(s) => format!("{s}/{}", r.steps),
        None => "not started".into(),
    }
}

/// `on step 3: 2 · step 5: 1 · not started: 1`.
fn summary(d: &Dashboard) -> String {
    let Some(room) = &d.room else {
        return "reading the workshop…".into();
    };
    let mut parts: Vec<String> = room
        .on_step
        .iter()
        .filter(|(step, _)| **step > 0)
        .map(|(step, n)| format!("step {step}: {n}"))
        .collect();
    if let Some(n) = room.on_step.get(&0) {
        parts.push(format!("not started: {n}"));
    }
    let stuck = room.rows.iter().filter(|r| r.stuck).count();
    let mut text = format!("{} learners · {}", room.rows.len(), parts.join(" · "));
    if stuck > 0 {
        text.push_str(&format!(" · {stuck} stuck"));
    }
    if let Some(step) = room.instructor_step {
        text.push_str(&format!(" · instructor at step {step}"));
    }
    text
}

fn row_style(r: &Row, theme: &Theme) -> Style {
    if r.stuck || r.deleting {
        theme.bad()
    } else if r.failing.is_some() || r.behind {
        theme.busy()
    } else if r.idle || r.step.is_none() {
        theme.dim()
    } else {
        Style::default()
    }
}

/// The whole screen, from the state alone.
pub fn draw(f: &mut Frame, d: &Dashboard, theme: &Theme) {
    let [title, summary_area, table_area, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    let name = controls(&d.workshop).into_owned();
    f.render_widget(
        Line::from(vec![
            Span::styled(format!("workshop {name}"), theme.title()),
            Span::styled(format!(" · sorted {}", d.sort.name()), theme.dim()),
        ]),
        title,
    );
    let (text, style) = match &d.trouble {
        Some(why) => (format!("{} (retrying)", controls(why)), theme.bad()),
        None => (summary(d), theme.summary()),
    };
    f.render_widget(Line::styled(text, style), summary_area);
    let header = TableRow::new(["LEARNER", "STEP", "PASS", "FAIL", "RUNNING", "IDLE", ""])
        .style(theme.title());
    let rows = d.rows().iter().map(|r| {
        let running = match &r.running {
            Some(id) => format!("{} {}", controls(id), secs(r.running_secs)),
            None => "-".into(),
        };
        TableRow::new([
            Cell::from(controls(&r.learner).into_owned()),
            Cell::from(step_text(r)),
            Cell::from(r.passed.to_string()),
            Cell::from(r.failed.to_string()),
            Cell::from(running),
            Cell::from(secs(r.idle_secs)),
            Cell::from(controls(&marks(r)).into_owned()),
        ])
        .style(row_style(r, theme))
    });
    let widths = [
        Constraint::Length(16),
        Constraint::Length(11),
        Constraint::Length(4),
        Constraint::Length(4),
        Constraint::Length(20),
        Constraint::Length(7),
        Constraint::Min(10),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(d.selected_index());
    f.render_stateful_widget(table, table_area, &mut state);
    f.render_widget(
        Line::styled(
            "↑/↓ select · Enter details · s sort · q quit",
            theme.status_bar(),
        ),
        keys,
    );
    if d.detail {
        detail(f, d, theme, table_area);
    }
}

/// The selected learner's failing check and its last output, over the table.
fn detail(f: &mut Frame, d: &Dashboard, theme: &Theme, area: Rect) {
    let Some(r) = d.selected_row() else { return };
    let area = area.inner(ratatui::layout::Margin::new(0, 1));
    let title = format!(" {} · {} ", controls(&r.learner), controls(&r.namespace));
    let mut lines = vec![Line::from(format!(
        "step {} · {} passed · {} failed · idle {}",
        step_text(r),
        r.passed,
        r.failed,
        secs(r.idle_secs)
    ))];
    match (&r.failing, &r.last_output) {
        (Some(cell), output) => {
            let head = format!("failing: {} for {}", controls(cell), secs(r.failing_secs));
            lines.push(Line::styled(head, theme.bad()));
            lines.push(Line::styled("its last output:", theme.dim()));
            let output = output.as_deref().unwrap_or("");
            lines.extend(controls(output).lines().map(|l| Line::from(l.to_string())));
        }
        (None, _) => lines.push(Line::styled("no failing check", theme.ok())),
    }
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title).title_bottom(" Esc/q back ")),
        area,
    );
}

/// What a key does on the dashboard.
pub fn key_action(key: KeyEvent) -> Option<DashAction> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => Some(DashAction::Quit),
        KeyCode::Char('q') | KeyCode::Esc => Some(DashAction::Quit),
        KeyCode::Up | KeyCode::Char('k') => Some(DashAction::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(DashAction::Down),
        KeyCode::Char('s') => Some(DashAction::NextSort),
        KeyCode::Enter => Some(DashAction::ToggleDetail),
        _ => None,
    }
}

/// Runs the dashboard until `q`, Ctrl-C or a signal; the terminal is restored however it ends.
pub async fn run(who: Instructor, workshop: &str, instructor: Option<&str>) -> anyhow::Result<()> {
    let mut signals = Signals::new()?;
    let mut guard = TerminalGuard::enter(None)?;
    let theme = Theme::detect();
    let mut dash = Dashboard::new(workshop, instructor, now_millis());
    let (tx, mut rx) = mpsc::channel::<DashAction>(16);
    let reader = tokio::spawn(read_room(who, workshop.to_string(), tx));
    let mut events = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let result = loop {
        guard.terminal.draw(|f| draw(f, &dash, &theme))?;
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(key))) => key_action(key),
                Some(Ok(_)) => None,
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(()),
            },
            Some(action) = rx.recv() => Some(action),
            _ = clock.tick() => Some(DashAction::Tick(now_millis())),
            name = signals.quit() => { tracing::info!("{name}: quitting"); break Ok(()) }
        };
        if let Some(action) = action {
            dash.update(action);
        }
        if dash.quit {
            break Ok(());
        }
    };
    reader.abort();
    drop(guard);
    result
}

/// Reads the workshop at the start and after every change the watch reports (changes within
/// [`COALESCE`] are read once); a failed read or watch error is said, and retried by the watch.
async fn read_room(who: Instructor, workshop: String, tx: mpsc::Sender<DashAction>) {
    let client = &who.client;
    let read = || async {
        match status::snapshot(client, &workshop).await {
            Ok(s) => DashAction::Snapshot(s),
            Err(e) => DashAction::Trouble(e.to_string()),
        }
    };
    if tx.send(read().await).await.is_err() {
        return;
    }
    let mut changes = status::changes(client, &workshop);
    while let Some(change) = changes.next().await {
        if let Err(e) = change {
            if tx
                .send(DashAction::Trouble(format!("watch: {e}")))
                .await
                .is_err()
            {
                return;
            }
            continue;
        }
        tokio::time::sleep(COALESCE).await;
        while let Some(Some(_)) = changes.next().now_or_never() {}
        if tx.send(read().await).await.is_err() {
            return;
        }
    }
}
