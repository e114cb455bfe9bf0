//! After a restart (issue 18, item 6): a background cell whose process is gone says so
//! instead of "passed earlier"; a foreground one keeps its verdict.

use std::sync::Arc;
use std::time::Duration;

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::theme::Theme;

use super::render::{draw_plain, fixture};

fn pass(app: &mut App, cell: usize) {
    app.update(Action::Exec(ExecEvent::Started { cell, attempt: 1 }));
    let duration = Duration::from_millis(300);
    let outcome = Outcome::Passed;
    app.update(Action::Exec(ExecEvent::Finished {
        cell,
        outcome,
        duration,
    }));
}

#[test]
fn a_background_cell_from_an_earlier_session_is_not_running() {
    let lesson = Arc::new(fixture("interactive.md"));
    let mut before = App::new(lesson.clone(), false);
    let sleeper = before
        .cells
        .iter()
        .position(|c| c.id == "ticker")
        .expect("ticker");
    assert!(
        before.cells[sleeper].background,
        "the fixture's sleeper is a job"
    );
    pass(&mut before, sleeper);
    let saved = before.progress();

    let mut app = App::new(lesson.clone(), false);
    app.restore(&saved);
    app.panes.pods = false;
    app.panes.sentinel = false;
    let mut view = LessonView::new(&lesson, Theme::plain());
    let terminal = draw_plain(&mut app, &mut view, 100, 24);
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        text.contains("not running (started in an earlier session)"),
        "{text}"
    );
    assert!(!text.contains("passed earlier"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

/// Outputs are kept as a notebook keeps them: after a restart a cell that ran shows its last
/// output under its verdict, marked as from an earlier session.
#[test]
fn a_cells_output_from_an_earlier_session_is_shown_and_marked() {
    use kubetutor::exec::Stream;
    let lesson = Arc::new(fixture("basic.md"));
    let mut before = App::new(lesson.clone(), false);
    let hello = before
        .cells
        .iter()
        .position(|c| c.id == "hello")
        .expect("hello");
    before.update(Action::Exec(ExecEvent::Started {
        cell: hello,
        attempt: 1,
    }));
    before.update(Action::Exec(ExecEvent::Output {
        cell: hello,
        stream: Stream::Stdout,
        bytes: b"hello from kubetutor\n".to_vec(),
    }));
    before.update(Action::Exec(ExecEvent::Finished {
        cell: hello,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(30),
    }));
    let saved = before.progress();

    let mut app = App::new(lesson.clone(), false);
    app.restore(&saved);
    let mut view = LessonView::new(&lesson, Theme::plain());
    let terminal = draw_plain(&mut app, &mut view, 100, 30);
    let rows: Vec<String> = terminal
        .backend()
        .buffer()
        .content()
        .chunks(100)
        .map(|r| r.iter().map(|c| c.symbol()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.contains("├─ output · from an earlier session"))
        .unwrap_or_else(|| panic!("no earlier-output header:\n{}", rows.join("\n")));
    assert!(
        rows[header + 1].contains("│ hello from kubetutor"),
        "{}",
        rows.join("\n")
    );
    assert!(rows.iter().any(|r| r.contains("✓ passed earlier")));
}
