//! Quitting after a failure offers the `always=true` cells; `y` runs them, then quits.

use std::path::Path;

use super::e2e::{PROMPT, Tmux};

fn open(tmux: &Tmux, dir: &Path) {
    let lesson = dir.join("lesson.md");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/cleanup.md");
    std::fs::copy(src, &lesson).expect("copy fixture");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!(
        "XDG_STATE_HOME={state} {bin} {}",
        lesson.display()
    ));
    tmux.wait_for("Step 1/2");
}

fn fail_a_step(tmux: &Tmux, dir: &Path) {
    tmux.send(&["a"]);
    tmux.wait_for("42-broke");
    assert!(dir.join("made").exists());
    tmux.send(&["q"]);
    let screen = tmux.wait_for("clean up before quitting?");
    assert!(screen.contains("release"), "{screen}");
}

#[test]
fn yes_in_the_quit_dialog_runs_the_cleanup_then_quits() {
    let Some(tmux) = Tmux::start() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    open(&tmux, dir.path());
    fail_a_step(&tmux, dir.path());
    tmux.send(&["y"]);
    tmux.wait_exit();
    tmux.wait_for(PROMPT);
    assert!(!dir.path().join("made").exists(), "the cleanup cell ran");
    assert!(dir.path().join("cleaned.txt").exists());
}

#[test]
fn no_in_the_quit_dialog_quits_as_is_and_esc_stays() {
    let Some(tmux) = Tmux::start() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    open(&tmux, dir.path());
    fail_a_step(&tmux, dir.path());
    tmux.send(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        tmux.screen().contains("Step 1/2"),
        "Esc stays in the lesson"
    );
    tmux.send(&["q"]);
    tmux.wait_for("clean up before quitting?");
    tmux.send(&["n"]);
    tmux.wait_exit();
    assert!(dir.path().join("made").exists(), "nothing was cleaned up");
    assert!(!dir.path().join("cleaned.txt").exists());
}
