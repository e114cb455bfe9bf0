//! Present mode: the PRESENT badge, the minimal key bar and the heavy step heading (TestBackend
//! snapshot), typing speed and skip (the app), and skip in the real binary (tmux).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubetutor::app::{Action, App, Effect};
use kubetutor::tui::keymap::typing_key;
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::theme::Theme;

use super::e2e::{Tmux, fixture as e2e_fixture};
use super::render::{draw_plain, fixture};

fn present(speed: Option<u32>) -> (App, LessonView) {
    let lesson = fixture("basic.md");
    let view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), true);
    app.typing_speed = speed;
    (app, view)
}

#[test]
fn present_screen_has_the_badge_a_minimal_key_bar_and_a_ruled_heading() {
    let (mut app, mut view) = present(Some(30));
    let terminal = draw_plain(&mut app, &mut view, 100, 20);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_badge_stands_out_without_colour() {
    let (mut app, mut view) = present(Some(30));
    let terminal = draw_plain(&mut app, &mut view, 80, 20);
    let buffer = terminal.backend().buffer();
    let row: String = (0..9)
        .map(|x| buffer[(x, 19)].symbol().to_string())
        .collect();
    assert_eq!(row, " PRESENT ");
    assert!(
        buffer[(1, 19)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

#[test]
fn any_key_finishes_typing_and_ctrl_c_still_cancels() {
    let key = |code, modifiers| typing_key(KeyEvent::new(code, modifiers));
    assert_eq!(
        key(KeyCode::Char('x'), KeyModifiers::NONE),
        Some(Action::SkipTyping)
    );
    assert_eq!(
        key(KeyCode::Enter, KeyModifiers::NONE),
        Some(Action::SkipTyping)
    );
    assert_eq!(
        key(KeyCode::Char('c'), KeyModifiers::CONTROL),
        Some(Action::Cancel)
    );

    let (mut app, _) = present(Some(1));
    assert_eq!(app.update(Action::RunFocused), Vec::<Effect>::new());
    assert!(app.typing.is_some(), "present mode types the command out");
    // One char a second: a tick shows one more character and runs nothing.
    assert_eq!(app.update(Action::Tick), Vec::<Effect>::new());
    assert_eq!(app.typing.as_ref().map(|t| t.shown), Some(1));
    let effects = app.update(Action::SkipTyping);
    assert!(
        matches!(effects.as_slice(), [Effect::Run { cells }] if cells[0].0 == 0),
        "skipping runs the cell at once: {effects:?}"
    );
    assert!(app.typing.is_none());
}

#[test]
fn typing_speed_off_runs_at_once_and_a_fast_speed_types_more_per_tick() {
    let (mut app, _) = present(None);
    let effects = app.update(Action::RunFocused);
    assert!(
        matches!(effects.as_slice(), [Effect::Run { .. }]),
        "{effects:?}"
    );
    assert!(app.typing.is_none());

    let (mut app, _) = present(Some(200));
    app.update(Action::RunFocused);
    app.update(Action::Tick);
    assert_eq!(app.typing.as_ref().map(|t| t.shown), Some(20));
}

#[test]
fn present_badge_and_skip_in_the_real_binary() {
    let Some(tmux) = Tmux::start() else { return };
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    // One character a second: the 55-character command would take about a minute to type.
    tmux.type_line(&format!(
        "XDG_STATE_HOME={state} XDG_RUNTIME_DIR={state} {bin} --present --typing-speed 1 {}",
        e2e_fixture()
    ));
    let screen = tmux.wait_for("PRESENT");
    assert!(
        screen.contains("━━━━"),
        "present step heading is ruled:\n{screen}"
    );
    tmux.send(&["Enter"]);
    tmux.wait_for("typing…");
    let skipped = Instant::now();
    tmux.send(&["x"]);
    tmux.wait_until("the output after a skip", Duration::from_secs(5), |s| {
        s.contains("KT-E2E-OUTPUT 42")
    });
    assert!(skipped.elapsed() < Duration::from_secs(5));
    tmux.send(&["q"]);
    tmux.wait_exit();
}

fn present_fixture() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tui/present.md")
        .display()
        .to_string()
}

#[test]
fn notes_terminal_follows_the_presenters_step_and_the_socket_goes_on_exit() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let Some(presenter) = Tmux::start() else {
        return;
    };
    let notes = Tmux::start().expect("tmux is there");
    let state = presenter.state.path().display().to_string();
    let env = format!("XDG_STATE_HOME={state} XDG_RUNTIME_DIR={state}");
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    presenter.type_line(&format!("{env} {bin} --present {}", present_fixture()));
    let screen = presenter.wait_for("PRESENT");
    assert!(
        !screen.contains("speaker_note") && !screen.contains("Redis before"),
        "the audience never sees the notes:\n{screen}"
    );
    let socket = presenter.state.path().join("kubetutor/notes.sock");
    let meta = std::fs::metadata(&socket).expect("the socket exists while presenting");
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    notes.type_line(&format!("{env} {bin} notes"));
    notes.wait_for("step 1/2 · Start the server");
    notes.wait_for("Ask who has used Redis before.");
    presenter.send(&["n"]);
    notes.wait_for("step 2/2 · Fail over");
    let screen = notes.wait_for("The election takes about 5 s.");
    assert!(screen.contains("Point at the sentinel pane."));
    assert!(
        !screen.contains("Redis before"),
        "one step at a time:\n{screen}"
    );

    presenter.send(&["q"]);
    presenter.wait_exit();
    notes.wait_for("The presenter closed the lesson.");
    assert!(!socket.exists(), "the socket is removed on exit");
}

#[test]
fn notes_without_a_presenter_says_so_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("notes")
        .env("XDG_RUNTIME_DIR", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no presenter at") && err.contains("--present"),
        "{err}"
    );
}
