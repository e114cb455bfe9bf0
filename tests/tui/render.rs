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
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tui")
        .join(name);
    let source = std::fs::read_to_string(&path).expect("fixture exists");
    kubetutor::lesson::parse(&path, &source).expect("fixture parses")
}

fn open(name: &str) -> (App, LessonView) {
    let lesson = fixture(name);
    let view = LessonView::new(&lesson, Theme::plain());
    (App::new(Arc::new(lesson), false), view)
}

/// The screen's rows as text. A wide character takes two cells, the second drawn over by it:
/// it is skipped, so a row reads as the terminal shows it.
pub fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width.max(1))
        .map(|r| {
            let mut row = String::new();
            let mut covered = false;
            for c in r {
                if std::mem::take(&mut covered) {
                    continue;
                }
                row.push_str(c.symbol());
                covered = unicode_width::UnicodeWidthStr::width(c.symbol()) == 2;
            }
            row
        })
        .collect()
}

/// Every symbol on the test screen, row after row, for `contains` checks.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    buffer.content().iter().map(|c| c.symbol()).collect()
}

fn draw(app: &mut App, view: &mut LessonView, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    screen::frame(&mut terminal, app, view).expect("draw");
    terminal
}

pub fn open_plain(name: &str) -> (App, LessonView) {
    open(name)
}

pub fn draw_plain(
    app: &mut App,
    view: &mut LessonView,
    width: u16,
    height: u16,
) -> Terminal<TestBackend> {
    draw(app, view, width, height)
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
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    let out = b"\x1b[32mhello\x1b[0m from kubetutor\n\x1b[2Jpartial\r\x1b]52;c;eA==\x07overwritten";
    app.update(Action::Exec(ExecEvent::Output {
        cell: 0,
        stream: Stream::Stdout,
        bytes: out.to_vec(),
    }));
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 30).backend());
}

#[test]
fn failed_cell_with_hint() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::NextStep);
    app.update(Action::NextStep);
    let fails = app
        .cells
        .iter()
        .position(|c| c.id == "fails")
        .expect("fails cell");
    app.update(Action::Exec(ExecEvent::Started {
        cell: fails,
        attempt: 1,
    }));
    let bytes = b"about to fail\n".to_vec();
    app.update(Action::Exec(ExecEvent::Output {
        cell: fails,
        stream: Stream::Stderr,
        bytes,
    }));
    let outcome = Outcome::Failed {
        code: Some(3),
        signal: None,
    };
    let duration = Duration::from_millis(1200);
    app.update(Action::Exec(ExecEvent::Finished {
        cell: fails,
        outcome,
        duration,
    }));
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
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    let nasty =
        b"a\x1b[2J\x1b[H\x1b[10;10Hb\x1b]8;;http://x\x07c\x1b]52;c;aGk=\x07\x1b[?25l\x07d\r\n"
            .to_vec();
    app.update(Action::Exec(ExecEvent::Output {
        cell: 0,
        stream: Stream::Stdout,
        bytes: nasty,
    }));
    let terminal = draw(&mut app, &mut view, 100, 30);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control char in {:?}",
            cell.symbol()
        );
    }
    let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("abcd"), "sanitised output is shown");
}

#[test]
fn picker() {
    use kubetutor::app::picker::Picker;
    use kubetutor::lesson::BundledLesson;
    let lesson = |slug: &str, title: &str, steps, translations: Vec<String>| BundledLesson {
        slug: slug.into(),
        path: format!("lessons/{slug}/lesson.md").into(),
        title: title.into(),
        summary: format!("What {title} teaches, in one line."),
        steps,
        translations,
    };
    let mut picker = Picker::new(vec![
        lesson(
            "redis-sentinel-local",
            "Redis Sentinel on your laptop",
            8,
            vec!["zh-CN".into()],
        ),
        lesson(
            "redis-sentinel-k8s",
            "Redis Sentinel on Kubernetes",
            10,
            vec![],
        ),
    ]);
    let down = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down);
    let input = kubetutor::tui::picker::map_key(down).expect("Down moves");
    picker.apply(input);
    let mut terminal = Terminal::new(TestBackend::new(80, 16)).expect("terminal");
    terminal
        .draw(|f| kubetutor::tui::picker::draw(f, &picker, &Theme::plain()))
        .expect("draw");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn background_job_in_jobs_pane() {
    let (mut app, mut view) = open("basic.md");
    app.update(Action::Exec(ExecEvent::Started {
        cell: 1,
        attempt: 1,
    }));
    app.update(Action::Exec(ExecEvent::JobStarted { cell: 1, pid: 4242 }));
    let bytes = b"Ready to accept connections tcp\n".to_vec();
    app.update(Action::Exec(ExecEvent::Output {
        cell: 1,
        stream: Stream::Stdout,
        bytes,
    }));
    let duration = Duration::from_millis(300);
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 1,
        outcome: Outcome::Passed,
        duration,
    }));
    app.panes.pods = false;
    app.panes.sentinel = false;
    insta::assert_snapshot!(draw(&mut app, &mut view, 110, 20).backend());
}

#[test]
fn resize_reflows_and_keeps_focused_cell_visible() {
    let (mut app, mut view) = open("basic.md");
    let fails = app
        .cells
        .iter()
        .position(|c| c.id == "fails")
        .expect("fails cell");
    app.update(Action::NextStep);
    app.update(Action::NextCell);
    app.update(Action::NextCell);
    assert_eq!(app.focus, Some(fails));
    for (w, h) in [(120, 30), (60, 14), (45, 12), (100, 40)] {
        app.update(Action::Resized);
        let terminal = draw(&mut app, &mut view, w, h);
        let text = screen_text(&terminal);
        assert!(text.contains("▶ fails"), "focused cell visible at {w}x{h}");
    }
}

#[test]
fn huge_lesson_renders_and_scrolls() {
    let mut source = String::from("---\ntitle: Big\n---\n");
    for step in 0..2000 {
        source.push_str(&format!(
            "## Step {step}\n\nSome text for step {step} that wraps a little.\n\n"
        ));
        source.push_str(&format!("```sh {{id=c{step}}}\necho {step}\n```\n\n"));
    }
    let lesson = kubetutor::lesson::parse(Path::new("/tmp/big.md"), &source).expect("parses");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    draw(&mut app, &mut view, 100, 30);
    app.update(Action::Bottom);
    let terminal = draw(&mut app, &mut view, 100, 30);
    let text = screen_text(&terminal);
    assert!(text.contains("c1999"), "the last cell is reachable");
}

#[test]
fn present_mode_shows_the_current_step_and_types_commands() {
    let lesson = fixture("basic.md");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), true);
    app.update(Action::NextStep);
    app.update(Action::PrevStep);
    app.update(Action::RunFocused);
    app.update(Action::Tick);
    app.update(Action::Tick);
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 20).backend());
}

#[test]
fn cluster_confirmation_dialog() {
    use kubetutor::app::ClusterTarget;
    let (mut app, mut view) = open("basic.md");
    let target = ClusterTarget {
        context: "kind-kubetutor".into(),
        cluster_url: "https://127.0.0.1:36443".into(),
        namespace: "demo".into(),
        ..Default::default()
    };
    app.update(Action::ClusterReady {
        result: Ok(target),
        pending: vec![0],
    });
    insta::assert_snapshot!(draw(&mut app, &mut view, 100, 24).backend());
}

#[test]
fn live_sentinel_view_replaces_the_placeholder() {
    let (mut app, mut view) = open("basic.md");
    let placeholder = |app: &mut App, view: &mut LessonView| {
        let terminal = draw(app, view, 120, 30);
        let text = screen_text(&terminal);
        text.contains("waiting for")
    };
    assert!(placeholder(&mut app, &mut view));
    app.sentinel = Some(kubetutor::sentinel::SentinelView::new("mymaster", app.wall));
    app.pods = Some(kubetutor::app::pods_view::PodsView::new());
    assert!(
        !placeholder(&mut app, &mut view),
        "the live panes are drawn instead"
    );
}

#[test]
fn lesson_without_steps_or_cells_is_usable() {
    let source = "Just prose, no steps, and a very long line: ".to_string() + &"word ".repeat(300);
    let lesson = kubetutor::lesson::parse(Path::new("/tmp/prose.md"), &source).expect("parses");
    let mut view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    for action in [
        Action::NextStep,
        Action::NextCell,
        Action::RunFocused,
        Action::RunStep,
        Action::PageDown,
    ] {
        app.update(action);
        draw(&mut app, &mut view, 80, 20);
    }
    let terminal = draw(&mut app, &mut view, 80, 20);
    let text = screen_text(&terminal);
    assert!(text.contains("step -"), "status bar copes with no steps");
}

/// Issue 18 item 5: the step headings say done ✓ and failed ✗ (in plain text, as under
/// NO_COLOR), and a lesson whose last step failed is not complete.
#[test]
fn step_headings_show_done_and_failed() {
    let (mut app, mut view) = open("basic.md");
    let id = |app: &App, id: &str| app.cells.iter().position(|c| c.id == id).expect(id);
    let finish = |app: &mut App, cell, outcome| {
        let duration = Duration::from_millis(300);
        app.update(Action::Exec(ExecEvent::Finished {
            cell,
            outcome,
            duration,
        }));
    };
    let (hello, sleeper, fails) = (id(&app, "hello"), id(&app, "sleeper"), id(&app, "fails"));
    finish(&mut app, hello, Outcome::Passed);
    finish(&mut app, sleeper, Outcome::Passed);
    let failed = Outcome::Failed {
        code: Some(3),
        signal: None,
    };
    finish(&mut app, fails, failed);
    let terminal = draw(&mut app, &mut view, 100, 60);
    let text = screen_text(&terminal);
    assert!(text.contains("✓ Step 1/2 · Say hello"), "{text}");
    assert!(text.contains("✗ Step 2/2 · Wait and fail"), "{text}");
    assert!(!text.contains("lesson complete"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn focused_terminal_cell() {
    let (mut app, mut view) = open("interactive.md");
    app.update(Action::NextCell);
    // The first frame lays the lesson out, and terminals take the size of their frame.
    draw(&mut app, &mut view, 100, 40);
    let effects = app.update(Action::RunFocused);
    let size = app.term_size;
    assert_eq!(
        effects,
        vec![kubetutor::app::Effect::RunTerminal { cell: 1, size }]
    );
    assert_eq!(app.term_focus, Some(1));
    app.update(Action::Exec(ExecEvent::Started {
        cell: 1,
        attempt: 1,
    }));
    // Colours, a title and the mouse mode: drawn from the emulator, never passed through.
    let bytes = b"\x1b]0;TITLE\x07\x1b[?1000h127.0.0.1:6379> set k \x1b[1mq1a\x1b[0m\r\nOK\r\n127.0.0.1:6379> ";
    app.update(Action::Exec(ExecEvent::Terminal {
        cell: 1,
        bytes: bytes.to_vec(),
    }));
    let terminal = draw(&mut app, &mut view, 100, 40);
    let text = screen_text(&terminal);
    assert!(!text.contains("TITLE"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}
