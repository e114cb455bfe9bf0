//! The status bar with colours on, as golden buffers (text and style of every cell): grey bar,
//! the last result green when it passed and red when it failed, a notice yellow over the bar.

use std::sync::Arc;
use std::time::Duration;

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

use super::render::fixture;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 30;

fn open() -> (App, LessonView) {
    let lesson = fixture("basic.md");
    let view = LessonView::new(&lesson, Theme::truecolor());
    (App::new(Arc::new(lesson), false), view)
}

/// The bottom line of the screen, as a buffer of its own.
fn status_bar(app: &mut App, view: &mut LessonView) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    screen::frame(&mut terminal, app, view).expect("draw");
    let screen = terminal.backend().buffer();
    let mut line = Buffer::empty(Rect::new(0, 0, WIDTH, 1));
    for x in 0..WIDTH {
        line[(x, 0)] = screen[(x, HEIGHT - 1)].clone();
    }
    line
}

fn finish(app: &mut App, outcome: Outcome) {
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    let duration = Duration::from_millis(1200);
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome,
        duration,
    }));
}

/// `text` on a grey bar, with `span` (its first match) drawn in `style` over the bar.
fn expected(text: &str, span: &str, style: Style) -> Buffer {
    let mut buf = Buffer::with_lines([text]);
    let bar = Style::new().bg(Color::DarkGray).fg(Color::White);
    buf.set_style(buf.area, bar);
    let at = text.find(span).expect("span in text");
    let x = text[..at].chars().count() as u16;
    let width = span.chars().count() as u16;
    buf.set_style(Rect::new(x, 0, width, 1), style);
    buf
}

fn bold(color: Color) -> Style {
    Style::new().fg(color).add_modifier(Modifier::BOLD)
}

/// The bar as laid out: `left` after the context, `right` flush right before one space.
fn bar_line(left: &str, right: &str) -> String {
    let left = format!(" ctx - │ ns demo │ step 1/2 │ {left}");
    let pad = usize::from(WIDTH) - left.chars().count() - right.chars().count() - 1;
    format!("{left}{}{right} ", " ".repeat(pad))
}

const HINTS: &str = "⏎ run  a step  n/p step  ]/[ cmd  ^C cancel  ? help  q quit";

#[test]
fn no_runs_yet_is_all_bar() {
    let (mut app, mut view) = open();
    let text = bar_line("no runs yet", HINTS);
    let bar = Style::new().bg(Color::DarkGray).fg(Color::White);
    assert_eq!(status_bar(&mut app, &mut view), expected(&text, HINTS, bar));
}

#[test]
fn a_passed_run_is_green() {
    let (mut app, mut view) = open();
    finish(&mut app, Outcome::Passed);
    let text = bar_line("hello ✓ passed 1.2s", HINTS);
    assert_eq!(
        status_bar(&mut app, &mut view),
        expected(&text, "hello ✓ passed 1.2s", bold(Color::Green))
    );
}

#[test]
fn a_failed_run_is_red() {
    let (mut app, mut view) = open();
    let outcome = Outcome::Failed {
        code: Some(3),
        signal: None,
    };
    finish(&mut app, outcome);
    let text = bar_line("hello ✗ exit 3 · 1.2s", HINTS);
    assert_eq!(
        status_bar(&mut app, &mut view),
        expected(&text, "hello ✗ exit 3 · 1.2s", bold(Color::Red))
    );
}

#[test]
fn a_notice_is_yellow_over_the_bar() {
    let (mut app, mut view) = open();
    app.update(Action::Notice("Copied the command.".into()));
    let text = bar_line("no runs yet", "Copied the command.  ? help  q quit");
    assert_eq!(
        status_bar(&mut app, &mut view),
        expected(&text, "Copied the command.", bold(Color::Yellow))
    );
}

/// Issue 18, item 11: `--theme light` on a 256-colour terminal. Every coloured cell of a whole
/// screen (prose, code, frames, panes, status bar) is a palette entry the terminal can show
/// (no RGB it would mangle), and nothing is drawn in the colours that wash out on white.
#[test]
fn the_light_theme_draws_the_screen_in_shades_readable_on_white() {
    use kubetutor::settings::Depth;
    let lesson = fixture("basic.md");
    let mut view = LessonView::new(&lesson, Theme::light(Depth::Ansi256));
    let mut app = App::new(Arc::new(lesson), false);
    finish(&mut app, Outcome::Passed);
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    screen::frame(&mut terminal, &mut app, &mut view).expect("draw");
    let washed = [
        Color::Yellow,
        Color::LightYellow,
        Color::Cyan,
        Color::LightCyan,
        Color::Gray,
        Color::White,
    ];
    let mut coloured = 0;
    for cell in terminal.backend().buffer().content() {
        if let Some(fg) = Some(cell.fg).filter(|c| *c != Color::Reset) {
            coloured += 1;
            assert!(!washed.contains(&fg), "{:?} drawn in {fg:?}", cell.symbol());
            assert!(!matches!(fg, Color::Rgb(..)), "{:?} in RGB", cell.symbol());
        }
    }
    assert!(
        coloured > 200,
        "only {coloured} coloured cells: colours are off?"
    );
}

/// Issue 17: a learner whose progress cannot be written to the cluster sees a red marker in
/// the status bar; the lesson goes on.
#[test]
fn an_unpublished_workshop_progress_is_a_red_marker() {
    let (mut app, mut view) = open();
    app.update(Action::WorkshopUnpublished(true));
    let bar = status_bar(&mut app, &mut view);
    let text: String = bar.content().iter().map(|c| c.symbol()).collect();
    let at = text.find("⚠ progress not published").expect("the marker");
    let cell = &bar.content()[text[..at].chars().count()];
    assert_eq!(cell.fg, Color::Red, "{text}");
    app.update(Action::WorkshopUnpublished(false));
    let bar = status_bar(&mut app, &mut view);
    let text: String = bar.content().iter().map(|c| c.symbol()).collect();
    assert!(!text.contains("not published"), "{text}");
}
