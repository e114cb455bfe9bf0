//! Item 11: two instances of one lesson no longer overwrite each other's progress. The first
//! owns it (an flock on `<progress>.lock`); a later one says so and saves nothing; the lock
//! goes with its holder however that ends.

use std::path::Path;

use crate::tmux::{PROMPT, Tmux};
use crate::util::{BIN, scratch};

const LESSON: &str = "# Two\n\n## One\n\n```sh {id=one}\necho ONE-RAN\n```\n\n## Two\n\n```sh {id=two}\necho TWO-RAN\n```\n";

fn open_with(tmux: &Tmux, state: &Path, lesson: &Path, extra: &str) {
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} {extra} {}",
        state.display(),
        lesson.display()
    ));
    tmux.wait_for("Step ");
}

fn progress(state: &Path, lesson: &Path) -> String {
    let dir = state.join("kubetutor/progress");
    let file = kubetutor::app::progress::file_for(&dir, lesson);
    std::fs::read_to_string(file).unwrap_or_default()
}

#[test]
fn a_second_instance_is_read_only_and_the_first_keeps_its_progress() {
    let (Some(a), Some(b)) = (Tmux::start(), Tmux::start()) else {
        return;
    };
    let l = scratch(LESSON);
    let state = a.state.path();
    open_with(&a, state, &l.file, "");
    open_with(&b, state, &l.file, "");
    let screen = b.wait_for("Read-only");
    assert!(
        screen.contains("pid"),
        "the notice names the holder:\n{screen}"
    );
    assert!(!a.screen().contains("Read-only"));

    // The report's race: A runs cell one, B runs cell two, B quits, A quits.
    a.send(&["Enter"]);
    a.wait_for("ONE-RAN");
    a.wait_for("✓ passed");
    b.send(&["n"]);
    b.send(&["Enter"]);
    b.wait_for("TWO-RAN");
    crate::util::quit(&b);
    let saved = progress(state, &l.file);
    assert!(saved.contains("\"one\": true"), "A's cell kept:\n{saved}");
    assert!(!saved.contains("\"two\""), "B saved nothing:\n{saved}");
    crate::util::quit(&a);
    let saved = progress(state, &l.file);
    assert!(
        saved.contains("\"one\": true") && !saved.contains("\"two\""),
        "{saved}"
    );

    // Once A is gone the next instance owns the file again.
    b.wait_for(PROMPT);
    open_with(&b, state, &l.file, "");
    b.wait_for("Welcome back");
    assert!(!b.screen().contains("Read-only"));
    crate::util::quit(&b);
}

#[test]
fn the_lock_goes_with_a_killed_holder_and_reset_needs_it() {
    let (Some(a), Some(b)) = (Tmux::start(), Tmux::start()) else {
        return;
    };
    let l = scratch(LESSON);
    let state = a.state.path();
    open_with(&a, state, &l.file, "");
    a.send(&["Enter"]);
    a.wait_for("✓ passed");
    // --reset in a read-only instance must not wipe the owner's progress.
    open_with(&b, state, &l.file, "--reset");
    b.wait_for("Read-only");
    crate::util::quit(&b);
    assert!(progress(state, &l.file).contains("\"one\": true"));
    // SIGKILL: no Drop runs, the kernel still releases the flock.
    let holder = crate::util::app_pid(&a);
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &holder.to_string()])
        .status();
    a.wait_exit();
    b.wait_for(PROMPT);
    open_with(&b, state, &l.file, "");
    b.wait_for("Welcome back");
    assert!(!b.screen().contains("Read-only"));
    crate::util::quit(&b);
}
