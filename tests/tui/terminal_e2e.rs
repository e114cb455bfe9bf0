//! Interactive cells end to end: the real binary in tmux, a real redis-server, programs that
//! try to take over the terminal.

use std::path::Path;
use std::time::{Duration, Instant};

use super::e2e::{PROMPT, Tmux};
use super::redis::Redis;

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tui/interactive.md")
        .display()
        .to_string()
}

fn open(tmux: &Tmux, port: u16) {
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!(
        "KT_REDIS_PORT={port} XDG_STATE_HOME={state} {bin} {}",
        fixture()
    ));
    tmux.wait_for("Step 1/3");
}

fn display(tmux: &Tmux, format: &str) -> String {
    tmux.run(&["display-message", "-p", "-t", "t", format])
        .trim()
        .to_string()
}

/// Polls `check` for up to `secs`; whether it held.
fn eventually(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// The last `tick-N` the jobs pane shows.
fn tick(screen: &str) -> Option<u32> {
    let at = screen.rfind("tick-")?;
    screen[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

fn stty(tmux: &Tmux, name: &str) -> String {
    let file = tmux.file(name);
    tmux.type_line(&format!("stty -a > {}", file.display()));
    assert!(
        eventually(5, || std::fs::metadata(&file).is_ok_and(|m| m.len() > 0)),
        "stty -a did not run"
    );
    std::fs::read_to_string(&file).expect("stty output")
}

#[test]
fn redis_cli_in_the_lesson_gets_every_key_from_the_first() {
    let Some(redis) = Redis::start() else { return };
    let Some(tmux) = Tmux::start() else { return };
    open(&tmux, redis.port);
    // The ticker job first: the jobs pane must keep updating while redis-cli has the keys.
    tmux.send(&["Enter"]);
    tmux.wait_for("tick-2");
    tmux.send(&["]"]);
    // Enter, then the command at once: no sleep, no waiting for the prompt.
    tmux.send(&["Enter"]);
    tmux.run(&["send-keys", "-t", "t", "-l", "set k q1a"]);
    tmux.send(&["Enter"]);
    assert!(
        eventually(10, || redis.cli(&["get", "k"]) == "q1a"),
        "redis never got q1a; screen:\n{}",
        tmux.screen()
    );
    let screen = tmux.wait_for("OK");
    let prompt = format!("127.0.0.1:{}> set k q1a", redis.port);
    assert!(screen.contains(&prompt), "{screen}");
    // None of the typed letters reached the lesson: `q` would ask to quit, `e` open the
    // editor, `a` run the step, `k` scroll, `1` toggle a pane.
    assert!(!screen.contains("Quit and stop them"), "{screen}");
    assert!(screen.contains("Ctrl-] leaves"), "{screen}");
    assert!(screen.contains("Talk to the test's redis"), "{screen}");
    let first = tick(&screen).expect("jobs pane on screen");
    assert!(
        eventually(5, || tick(&tmux.screen()).is_some_and(|t| t > first)),
        "the jobs pane froze while the terminal had the keys"
    );
    tmux.run(&["send-keys", "-t", "t", "-l", "quit"]);
    tmux.send(&["Enter"]);
    let passed = |s: &str| {
        s.lines()
            .any(|l| l.contains("─ ▶ cli ") && l.contains("✓ passed"))
    };
    assert!(
        eventually(10, || passed(&tmux.screen())),
        "redis-cli did not pass after quit:\n{}",
        tmux.screen()
    );
    let screen = tmux.screen();
    assert!(screen.contains("├─ output"), "{screen}");
    assert!(
        screen.contains(&prompt) && screen.contains("OK"),
        "{screen}"
    );
    // The keyboard is the lesson's again.
    tmux.send(&["C-c"]);
    tmux.send(&["q"]);
    tmux.wait_for("Quit and stop them");
    tmux.send(&["y"]);
    tmux.wait_exit();
}

#[test]
fn a_program_that_grabs_the_terminal_leaves_the_outer_one_alone() {
    let Some(tmux) = Tmux::start() else { return };
    let before = stty(&tmux, "stty-before");
    let title = display(&tmux, "#{pane_title}");
    let shell_mouse = display(&tmux, "#{mouse_any_flag}#{mouse_sgr_flag}#{alternate_on}");
    open(&tmux, 1);
    let tui_mouse = display(&tmux, "#{mouse_any_flag}#{mouse_sgr_flag}#{alternate_on}");
    tmux.send(&["n"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("FULL-SCREEN");
    assert_eq!(display(&tmux, "#{pane_title}"), title, "the title leaked");
    assert_eq!(
        display(&tmux, "#{mouse_any_flag}#{mouse_sgr_flag}#{alternate_on}"),
        tui_mouse,
        "mouse or screen modes leaked"
    );
    // `stty size` inside is the frame drawn: rows between the rules, columns inside `│ │`.
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("├─ terminal"))
        .expect("terminal frame");
    let bottom = top
        + lines[top..]
            .iter()
            .position(|l| l.trim_start().starts_with('╰'))
            .expect("frame bottom");
    let rows = bottom - top - 1;
    // The rule `├─ … ┤` is as wide as a body line `│ ` + the terminal + `│`.
    let rule: Vec<char> = lines[top].chars().collect();
    let left = rule.iter().position(|&c| c == '├').expect("rule start");
    let right = rule.iter().position(|&c| c == '┤').expect("rule end");
    let cols = right - left - 2;
    let size = format!("{rows} {cols}");
    assert!(
        lines[top + 1..bottom].iter().any(|l| l.contains(&size)),
        "stty size inside is not {size}:\n{screen}"
    );
    tmux.run(&["send-keys", "-t", "t", "-l", "bye"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("done bye");
    tmux.send(&["q"]);
    tmux.wait_exit();
    tmux.wait_for(PROMPT);
    assert_eq!(display(&tmux, "#{pane_title}"), title);
    assert_eq!(
        display(&tmux, "#{mouse_any_flag}#{mouse_sgr_flag}#{alternate_on}"),
        shell_mouse
    );
    assert_eq!(
        stty(&tmux, "stty-after"),
        before,
        "terminal settings changed"
    );
}

/// Issue 20, defect 4: starting an interactive cell deadlocked the TUI (a new input reader
/// raced the old one for the terminal). The terminal is never handed over now.
#[test]
fn a_hundred_interactive_starts_never_deadlock() {
    let Some(tmux) = Tmux::start() else { return };
    open(&tmux, 1);
    tmux.send(&["n"]);
    tmux.send(&["n"]);
    tmux.wait_for("Step 3/3");
    let mut deadlocks = 0;
    for i in 0..100 {
        tmux.send(&["Enter"]);
        tmux.run(&["send-keys", "-t", "t", "-l", &format!("i{i}")]);
        tmux.send(&["Enter"]);
        // Done: its output (not the live terminal) shows the answer and the cell passed.
        let want = format!("got-i{i}.");
        let done = |s: &str| {
            s.contains(&want)
                && s.contains("├─ output")
                && s.lines()
                    .any(|l| l.contains("─ ▶ again ") && l.contains("✓ passed"))
        };
        if !eventually(10, || done(&tmux.screen())) {
            deadlocks += 1;
            eprintln!("start {i} hung; screen:\n{}", tmux.screen());
            break;
        }
    }
    assert_eq!(deadlocks, 0, "deadlocks in 100 interactive starts");
    tmux.send(&["q"]);
    tmux.wait_exit();
}
