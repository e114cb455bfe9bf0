//! Cell frames close on the right next to the lesson scrollbar, and an edited cell says so.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn rows(app: &mut App, view: &mut LessonView, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    screen::frame(&mut terminal, app, view).expect("draw");
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn frames_close_beside_the_scrollbar() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/redis-sentinel-local/lesson.md");
    let source = std::fs::read_to_string(&path).expect("bundled lesson");
    let lesson = kubetutor::lesson::parse(&path, &source).expect("parses");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    let (mut tops, mut bottoms) = (0, 0);
    for step in 0..app.lesson.steps.len() {
        app.update(Action::Resized);
        // Inside a cell: block quotes outside cells also start with `│ ` and stay open.
        let mut inside = false;
        for row in rows(&mut app, &mut view, 140, 45) {
            // The lesson column ends at the scrollbar (║ track or █ thumb).
            let Some(lesson) = row.split(['║', '█']).next() else {
                continue;
            };
            let lesson = lesson.trim_end();
            if lesson.trim_start().starts_with('╭') {
                tops += 1;
                inside = true;
                assert!(lesson.ends_with("─╮"), "top line not closed: {row:?}");
            }
            if lesson.trim_start().starts_with('╰') {
                bottoms += 1;
                inside = false;
                assert!(lesson.ends_with("─╯"), "bottom line not closed: {row:?}");
            }
            if inside && lesson.trim_start().starts_with(['│', '├']) {
                assert!(
                    lesson.ends_with(['│', '┤']),
                    "body line not closed: {row:?}"
                );
            }
        }
        if step + 1 < app.lesson.steps.len() {
            app.update(Action::NextStep);
        }
    }
    assert!(
        tops > 5 && bottoms > 5,
        "saw {tops} tops, {bottoms} bottoms"
    );
}

#[test]
fn an_edited_cell_shows_its_code_and_that_it_ran() {
    let lesson = super::render::fixture("basic.md");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    app.update(Action::Edited {
        cell: 0,
        code: Some("echo edited-by-me".into()),
    });
    let screen = rows(&mut app, &mut view, 100, 30).join("\n");
    assert!(screen.contains("echo edited-by-me"), "{screen}");
    assert!(
        screen.contains("idle · edited"),
        "shown, not run yet: {screen}"
    );
    app.update(Action::RunFocused);
    let screen = rows(&mut app, &mut view, 100, 30).join("\n");
    assert!(screen.contains("queued · ran edited code"), "{screen}");
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(200),
    }));
    let screen = rows(&mut app, &mut view, 100, 30).join("\n");
    assert!(
        screen.contains("✓ passed 0.2s · ran edited code"),
        "{screen}"
    );
    assert!(screen.contains("e edit · E revert · c copy"), "{screen}");
    app.update(Action::RevertEdit);
    let screen = rows(&mut app, &mut view, 100, 30).join("\n");
    assert!(!screen.contains("edited-by-me"), "{screen}");
    assert!(screen.contains("Back to the lesson's command."), "{screen}");
}
