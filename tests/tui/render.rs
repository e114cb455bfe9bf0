//! Snapshots of the main screens on a fixed-size TestBackend.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome, Stream};
use kubetutor::lesson::Lesson;
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn fixture(name: &str) -> Lesson {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui").join(name);
    let source = std::fs::read_to_string(&path).expect("fixture exists");
    kubetutor::lesson::parse(&path, &source).expect("fixture parses")
}

fn open(name: &str) -> (App, LessonView) {
    let lesson = fixture(name);
    let view = LessonView::new(&lesson, Theme::plain());
    (App::new(Arc::new(lesson), false), view)
}

fn draw(app: &mut App, view: &mut LessonView, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| screen::draw(f, app, view)).expect("draw");
    terminal
}

#[test]
fn lesson_screen() {
    let (mut app, mut view) = open("basic.md");
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 40).backend());
}

#[test]
fn running_cell() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started { cell: 0, attempt: 1 }));
    let out = b"\x1b[32mhello\x1b[0m from kubetutor\n\x1b[2Jpartial\r\x1b]52;c;eA==\x07overwritten";
    app.update(Action::Exec(ExecEvent::Output { cell: 0, stream: Stream::Stdout, bytes: out.to_vec() }));
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 30).backend());
}

#[test]
fn failed_cell_with_hint() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::NextStep);
    app.update(Action::NextStep);
    let fails = app.cells.iter().position(|c| c.id == "fails").expect("fails cell");
    app.update(Action::Exec(ExecEvent::Started { cell: fails, attempt: 1 }));
    let bytes = b"about to fail\n".to_vec();
    app.update(Action::Exec(ExecEvent::Output { cell: fails, stream: Stream::Stderr, bytes }));
    let outcome = Outcome::Failed { code: Some(3), signal: None };
    let duration = Duration::from_millis(1200);
    app.update(Action::Exec(ExecEvent::Finished { cell: fails, outcome, duration }));
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 30).backend());
}

#[test]
fn help_overlay() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::ToggleHelp);
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 30).backend());
}

#[test]
fn too_small() {
    let (mut app, mut view) = open("basic.md");
    insta::assert_snapshot!(draw(&mut app, &mut view, 20, 5).backend());
}

#[test]
fn cjk_lesson() {
    let (mut app, mut view) = open("cjk.md");
    let terminal = draw(&mut app, &mut view, 60, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn output_never_contains_control_characters() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::Exec(ExecEvent::Started { cell: 0, attempt: 1 }));
    let nasty = b"a\x1b[2J\x1b[H\x1b[10;10Hb\x1b]8;;http://x\x07c\x1b]52;c;aGk=\x07\x1b[?25l\x07d\r\n".to_vec();
    app.update(Action::Exec(ExecEvent::Output { cell: 0, stream: Stream::Stdout, bytes: nasty }));
    let terminal = draw(&mut app, &mut view, 100, 30);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(!cell.symbol().chars().any(char::is_control), "control char in {:?}", cell.symbol());
    }
    let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("abcd"), "sanitised output is shown");
}
