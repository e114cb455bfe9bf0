//! Edit-and-run end to end: `e` runs `$EDITOR` on the command, Enter runs the edit in the
//! lesson's session, `E` goes back to the lesson's command.

use super::e2e::{Tmux, fixture};

#[test]
fn edited_code_runs_and_can_be_reverted() {
    let Some(tmux) = Tmux::start() else { return };
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    // sed plays a non-interactive editor: 6*7 becomes 6*8 in the command. $EDITOR is split
    // like a shell would (as git does), so the regex avoids a backslash.
    tmux.type_line(&format!(
        "EDITOR='sed -i s/6[*]7/6*8/' XDG_STATE_HOME={state} {bin} {}",
        fixture()
    ));
    tmux.wait_for("Step 1/2");
    tmux.send(&["e"]);
    // The edit is shown first and runs only on Enter.
    let screen = tmux.wait_for("Enter runs your version");
    assert!(screen.contains("$((6*8))"), "the edit is shown:\n{screen}");
    assert!(
        !screen.contains("KT-E2E-OUTPUT 4"),
        "ran before Enter:\n{screen}"
    );
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("KT-E2E-OUTPUT 48");
    assert!(screen.contains("ran edited code"), "{screen}");
    assert!(screen.contains("$((6*8))"), "the edit is shown:\n{screen}");
    tmux.send(&["E"]);
    tmux.wait_for("Back to the lesson's command");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("KT-E2E-OUTPUT 42");
    assert!(!screen.contains("ran edited code"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_exit();
}
