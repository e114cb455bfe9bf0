//! A panic restores the terminal: settings unchanged, alternate screen left, the message
//! readable afterwards, and no command the lesson started left running.
//!
//! Uses the `KUBETUTOR_DEBUG_PANIC` test hook of the event loop (src/tui/runtime.rs).

use std::time::{Duration, Instant};

use super::e2e::{PROMPT, Tmux, alive, fixture, wait_for_descendants};

/// Runs `stty -a` at the prompt into `name` and returns what it printed.
fn stty(tmux: &Tmux, name: &str) -> String {
    let file = tmux.file(name);
    tmux.type_line(&format!("stty -a > {}", file.display()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::metadata(&file).map_or(true, |m| m.len() == 0) {
        assert!(Instant::now() < deadline, "stty -a did not run ({name})");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&file).expect("stty output")
}

fn launch(tmux: &Tmux, mode: &str) {
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.run(&["send-keys", "-t", "t", "clear", "Enter"]);
    tmux.type_line(&format!(
        "KUBETUTOR_DEBUG_PANIC={mode} XDG_STATE_HOME={state} {bin} {}; echo \"exit=$?\"",
        fixture()
    ));
}

fn alternate_on(tmux: &Tmux) -> bool {
    tmux.flag("alternate_on")
}

/// After the panic: shell back on the normal screen, message shown, settings as before.
fn check_restored(tmux: &Tmux, before: &str, message: &str, name: &str) {
    tmux.wait_exit();
    let screen = tmux.wait_for("exit=101");
    assert!(
        screen.contains(message),
        "panic message not visible:\n{screen}"
    );
    assert!(!alternate_on(tmux), "still on the alternate screen");
    tmux.wait_for(PROMPT);
    assert_eq!(stty(tmux, name), before, "terminal settings changed");
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_no_process() {
    let Some(tmux) = Tmux::start() else { return };
    let before = stty(&tmux, "stty-before");

    launch(&tmux, "1");
    check_restored(
        &tmux,
        &before,
        "deliberate panic after the first frame",
        "stty-after-first-frame",
    );

    launch(&tmux, "running");
    tmux.wait_for("Step 1/2");
    assert!(
        alternate_on(&tmux),
        "the lesson draws on the alternate screen"
    );
    tmux.send(&["n"]);
    tmux.send(&["Enter"]);
    let sleepers = wait_for_descendants(&tmux, "sleep 100");
    check_restored(
        &tmux,
        &before,
        "deliberate panic while a command runs",
        "stty-after-running",
    );
    // wait_exit saw nothing left under the shell; a process that escaped the tree is caught
    // by its pid.
    let left: Vec<u32> = sleepers.into_iter().filter(|&p| alive(p)).collect();
    assert!(left.is_empty(), "left running after the panic: {left:?}");
}
