//! Cell frames close on the right next to the lesson scrollbar, and an edited cell says so.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome, Stream};
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

/// The heading line of the step that holds `needle`'s title, from the lesson column.
fn heading<'a>(screen: &'a [String], title: &str) -> &'a str {
    screen
        .iter()
        .find(|r| r.contains(&format!("· {title}")))
        .map(|r| r.trim())
        .unwrap_or_else(|| panic!("no heading {title:?} in\n{}", screen.join("\n")))
}

fn finish(app: &mut App, id: &str, outcome: Outcome) {
    let cell = app.cells.iter().position(|c| c.id == id).expect(id);
    app.update(Action::Exec(ExecEvent::Finished {
        cell,
        outcome,
        duration: Duration::from_millis(100),
    }));
}

/// Issue 18 item 5: ○ until a step's runnable cells pass, ✗ when one fails, ✓ when all
/// passed; "lesson complete" in the status bar once the last step is done.
#[test]
fn step_marks_follow_the_cells_and_the_lesson_completes() {
    let lesson = super::render::fixture("basic.md");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    let (w, h) = (100, 60);
    let screen = rows(&mut app, &mut view, w, h);
    assert!(
        heading(&screen, "Say hello").starts_with("▶ ○ Step 1/2"),
        "{screen:#?}"
    );
    assert!(heading(&screen, "Wait and fail").starts_with("■ ○ Step 2/2"));
    finish(&mut app, "hello", Outcome::Passed);
    finish(&mut app, "sleeper", Outcome::Cancelled);
    let screen = rows(&mut app, &mut view, w, h);
    assert!(heading(&screen, "Say hello").starts_with("▶ ✓ Step 1/2"));
    assert!(
        heading(&screen, "Wait and fail").starts_with("■ ○ Step 2/2"),
        "a cancelled cell is not run, not failed"
    );
    finish(
        &mut app,
        "fails",
        Outcome::Failed {
            code: Some(3),
            signal: None,
        },
    );
    let screen = rows(&mut app, &mut view, w, h);
    assert!(heading(&screen, "Wait and fail").starts_with("■ ✗ Step 2/2"));
    assert!(!screen[usize::from(h) - 1].contains("lesson complete"));
    finish(&mut app, "sleeper", Outcome::Passed);
    let screen = rows(&mut app, &mut view, w, h);
    assert!(
        !screen[usize::from(h) - 1].contains("lesson complete"),
        "fails still failed"
    );
    finish(&mut app, "fails", Outcome::Passed);
    let screen = rows(&mut app, &mut view, w, h);
    assert!(heading(&screen, "Wait and fail").starts_with("■ ✓ Step 2/2"));
    let status = &screen[usize::from(h) - 1];
    assert!(status.contains("✓ Lesson complete: 2/2"), "{status}");
    // Said once, when it happens: what was done, not the panes retrying after the clean-up.
    let summary = app.notice.clone().unwrap_or_default();
    assert!(
        summary.starts_with("✓ Lesson complete: 2/2 steps done, 3 cells passed"),
        "{summary}"
    );
    app.notice = None;
    finish(&mut app, "hello", Outcome::Passed);
    assert_eq!(
        app.notice, None,
        "a rerun of a complete lesson says nothing new"
    );
    let screen = rows(&mut app, &mut view, w, h);
    let status = &screen[usize::from(h) - 1];
    assert!(status.contains("✓ lesson complete"), "{status}");
}

/// Output lines `from..=to` of the `long` cell, as the engine sends them.
fn output(app: &mut App, from: usize, to: usize) {
    for n in from..=to {
        app.update(Action::Exec(ExecEvent::Output {
            cell: 0,
            stream: Stream::Stdout,
            bytes: format!("out-line-{n}\n").into_bytes(),
        }));
    }
}

fn shows(screen: &[String], text: &str) -> bool {
    screen
        .iter()
        .any(|r| r.split_whitespace().any(|w| w.trim_matches('│') == text))
}

/// Issue 18 item 2: while the focused cell runs, its newest output stays on screen (the
/// lesson scrolls with it); scrolling by hand stops that until the next run.
#[test]
fn the_running_cells_newest_output_stays_in_view_until_scrolled_by_hand() {
    let lesson = super::render::fixture("follow.md");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    let (w, h) = (100, 30);
    rows(&mut app, &mut view, w, h);
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    rows(&mut app, &mut view, w, h);
    for chunk in 0..8 {
        output(&mut app, chunk * 5 + 1, chunk * 5 + 5);
        let screen = rows(&mut app, &mut view, w, h);
        let newest = format!("out-line-{}", chunk * 5 + 5);
        assert!(
            shows(&screen, &newest),
            "{newest} off screen:\n{}",
            screen.join("\n")
        );
    }
    // The learner scrolls up to read: new output no longer moves the lesson.
    app.update(Action::ScrollUp(6));
    rows(&mut app, &mut view, w, h);
    let kept = app.scroll;
    output(&mut app, 41, 45);
    let screen = rows(&mut app, &mut view, w, h);
    assert_eq!(app.scroll, kept, "the lesson moved after a hand scroll");
    assert!(!shows(&screen, "out-line-45"), "{}", screen.join("\n"));
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(100),
    }));
    rows(&mut app, &mut view, w, h);
    assert_eq!(app.scroll, kept, "finishing did not move it either");
    // The next run follows again.
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    output(&mut app, 1, 40);
    let screen = rows(&mut app, &mut view, w, h);
    assert!(shows(&screen, "out-line-40"), "{}", screen.join("\n"));
}
