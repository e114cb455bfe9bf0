//! The pods pane with colours on, as a golden buffer (text and style of every cell, the way
//! kdash tests its views): STATUS by health (Running and ready green, CrashLoopBackOff and
//! Error red and bold, Pending, ContainerCreating and Terminating yellow, Completed dim), ROLE
//! (master magenta and bold, others cyan), a new pod green and bold with `+`, a deleted one red
//! and struck through with `x`, the header cyan and bold, the state line green.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kubetutor::app::pods_view::PodsView;
use kubetutor::kube::model::{PodRow, PodsUpdate};
use kubetutor::sentinel::Role;
use kubetutor::tui::pods_pane::PodsPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_637_400)
}

fn pod(name: &str, ready: u32, status: &str, restarts: u32, ip: Option<&str>) -> PodRow {
    PodRow {
        name: name.into(),
        ready,
        total: 1,
        status: status.into(),
        restarts,
        last_restart: None,
        created: Some(now() - Duration::from_secs(600)),
        ip: ip.map(Into::into),
    }
}

fn view() -> PodsView {
    let earlier = now() - Duration::from_secs(60);
    let mut view = PodsView::new();
    let rows = vec![
        pod("redis-0", 1, "Running", 0, Some("10.0.0.5")),
        pod("redis-1", 1, "Running", 0, Some("10.0.0.6")),
        pod("redis-2", 0, "CrashLoopBackOff", 5, Some("10.0.0.7")),
        pod("redis-3", 0, "Error", 1, Some("10.0.0.8")),
        pod("redis-4", 0, "Pending", 0, None),
        pod("redis-5", 0, "ContainerCreating", 0, None),
        pod("redis-6", 1, "Terminating", 0, Some("10.0.0.9")),
        pod("seed-job", 0, "Completed", 0, None),
        pod("gone-0", 1, "Running", 0, Some("10.0.0.4")),
    ];
    view.apply(PodsUpdate::Listed(rows), earlier);
    let roles = HashMap::from([
        ("10.0.0.5".to_string(), Role::Master),
        ("10.0.0.6".to_string(), Role::Replica),
    ]);
    view.set_roles(roles, earlier);
    view.apply(
        PodsUpdate::Applied(pod("redis-7", 0, "Pending", 0, None)),
        now(),
    );
    view.apply(PodsUpdate::Deleted("gone-0".into()), now());
    view
}

fn draw(view: &PodsView) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(64, 13)).expect("terminal");
    terminal
        .draw(|f| {
            let pane = PodsPane::new(view, now()).theme(Theme::dark());
            f.render_widget(pane, f.area());
        })
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// Styles `text`, the first match on line `y` of the expected buffer.
fn paint(buf: &mut Buffer, y: u16, text: &str, style: Style) {
    let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    let at = line
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not on line {y}"));
    let x = line[..at].chars().count() as u16;
    buf.set_style(Rect::new(x, y, text.chars().count() as u16, 1), style);
}

/// Styles every word of line `y` (a row's column texts; the gaps between stay plain).
fn paint_words(buf: &mut Buffer, y: u16, style: Style) {
    let words: Vec<u16> = (0..buf.area.width)
        .filter(|x| buf[(*x, y)].symbol() != " ")
        .collect();
    for x in words {
        buf[(x, y)].set_style(style);
    }
}

fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

fn bold(color: Color) -> Style {
    fg(color).add_modifier(Modifier::BOLD)
}

#[test]
fn pods_pane_colours_status_role_and_changes() {
    let mut expected = Buffer::with_lines([
        "live · 9 pods, 1 deleted                                        ",
        "NAME      READY STATUS            RESTARTS AGE IP       ROLE    ",
        "xgone-0   1/1   Running           0        10m 10.0.0.4         ",
        " redis-0  1/1   Running           0        10m 10.0.0.5 master  ",
        " redis-1  1/1   Running           0        10m 10.0.0.6 replica ",
        " redis-2  0/1   CrashLoopBackOff  5        10m 10.0.0.7         ",
        " redis-3  0/1   Error             1        10m 10.0.0.8         ",
        " redis-4  0/1   Pending           0        10m <none>           ",
        " redis-5  0/1   ContainerCreating 0        10m <none>           ",
        " redis-6  1/1   Terminating       0        10m 10.0.0.9         ",
        "+redis-7  0/1   Pending           0        10m <none>           ",
        " seed-job 0/1   Completed         0        10m <none>           ",
        "                                                                ",
    ]);
    let e = &mut expected;
    paint(e, 0, "live · 9 pods, 1 deleted", bold(Color::Green));
    paint_words(e, 1, bold(Color::Cyan));
    // A deleted pod lingers struck through in red, every column.
    paint_words(e, 2, fg(Color::Red).add_modifier(Modifier::CROSSED_OUT));
    paint(e, 3, "Running", fg(Color::Green));
    paint(e, 3, "master", bold(Color::Magenta));
    paint(e, 4, "Running", fg(Color::Green));
    paint(e, 4, "replica", fg(Color::Cyan));
    paint(e, 5, "CrashLoopBackOff", bold(Color::Red));
    paint(e, 6, "Error", bold(Color::Red));
    paint(e, 7, "Pending", fg(Color::Yellow));
    paint(e, 8, "ContainerCreating", fg(Color::Yellow));
    paint(e, 9, "Terminating", fg(Color::Yellow));
    // A new pod is green and bold as a whole, its STATUS colour waits for the highlight to end.
    paint_words(e, 10, bold(Color::Green));
    paint(e, 11, "Completed", fg(Color::DarkGray));
    assert_eq!(draw(&view()), expected);
}

#[test]
fn once_the_highlight_fades_a_new_pod_has_its_status_colour() {
    let mut view = view();
    let later = now() + PodsView::HIGHLIGHT + Duration::from_secs(1);
    view.expire(later);
    let mut terminal = Terminal::new(TestBackend::new(64, 13)).expect("terminal");
    terminal
        .draw(|f| {
            let pane = PodsPane::new(&view, later).theme(Theme::dark());
            f.render_widget(pane, f.area());
        })
        .expect("draw");
    let buf = terminal.backend().buffer();
    let y = (0..13)
        .find(|y| buf[(1, *y)].symbol() == "r" && buf[(7, *y)].symbol() == "7")
        .expect("redis-7 row");
    let status = &buf[(16, y)];
    assert_eq!(
        (status.fg, status.modifier),
        (Color::Yellow, Modifier::empty())
    );
    let name = &buf[(1, y)];
    assert_eq!((name.fg, name.modifier), (Color::Reset, Modifier::empty()));
}
