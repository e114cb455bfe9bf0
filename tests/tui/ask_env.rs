//! Issue 15, item 2: Runme's promptEnv in the TUI. A Runme lesson's `export NAME=question`
//! asks the learner before the cell runs (a quoted value is a default to confirm); the answer
//! reaches the cell, is asked once per session, and Esc runs nothing. The real binary and a
//! real shell, in tmux.

use super::e2e::Tmux;

const LESSON: &str = r#"---
runme:
  id: 01HF7B0KJPF469EG9ZWDNQCZ7B
---
# Greeting

## Say it

```sh {"id":"01HF7B0KJPF469EG9ZWDNQCZ7C","name":"greet"}
export GREETING=how-should-we-greet
export TARGET="world"
echo "got: $GREETING, $TARGET"
```

```sh {"id":"01HF7B0KJPF469EG9ZWDNQCZ7D","name":"again"}
export GREETING=how-should-we-greet
echo "again: $GREETING"
```
"#;

#[test]
fn an_export_prompt_asks_in_the_tui_once_and_the_cell_gets_the_answer() {
    let Some(tmux) = Tmux::start() else { return };
    let file = tmux.file("greet.md");
    std::fs::write(&file, LESSON).expect("lesson");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    // GREETING must not come from the test's environment.
    tmux.type_line(&format!(
        "env -u GREETING -u TARGET XDG_STATE_HOME={state} {bin} {}",
        file.display()
    ));
    tmux.wait_for("Step 1/1");

    // Esc: nothing runs, and the status bar says what was missing.
    tmux.send(&["Enter"]);
    tmux.wait_for("the lesson asks for a value");
    assert!(tmux.screen().contains("how-should-we-greet"));
    tmux.send(&["Escape"]);
    tmux.wait_for("Not run: the lesson needs $GREETING");

    // Answer the question, keep the default of the second: the cell gets both.
    tmux.send(&["Enter"]);
    tmux.wait_for("1 more after this");
    tmux.run(&["send-keys", "-t", "t", "-l", "hello there"]);
    tmux.wait_for("> hello there▌");
    tmux.send(&["Enter"]);
    // The default is offered as the answer: Enter keeps it.
    tmux.wait_for("default: world (Enter keeps it)");
    tmux.wait_for("> world▌");
    tmux.send(&["Enter"]);
    tmux.wait_for("got: hello there, world");

    // The next cell asking for GREETING runs at once with the same answer.
    tmux.send(&["]"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("again: hello there");
    assert!(!screen.contains("the lesson asks for a value"), "{screen}");
    // Both ended (the output comes before the verdict): q quits without asking.
    tmux.wait_until("both verdicts", std::time::Duration::from_secs(20), |s| {
        s.matches("✓ passed").count() >= 2
    });
    tmux.send(&["q"]);
    tmux.wait_exit();
}
