//! End to end in tmux: the real binary on a real (virtual) terminal.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

// The harness lives in tests/support/tmux.rs; these names stay importable from here.
pub(crate) use crate::tmux::{PROMPT, Tmux, alive, descendants, wait_for_descendants};

pub(crate) fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tui/e2e.md")
        .display()
        .to_string()
}

fn open(tmux: &Tmux) {
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!("XDG_STATE_HOME={state} {bin} {}", fixture()));
    tmux.wait_for("Step 1/2");
}

#[test]
fn run_cancel_and_quit_leave_a_sane_terminal() {
    let Some(tmux) = Tmux::start() else { return };
    let before = tmux.file("stty-before");
    tmux.type_line(&format!("stty -a > {}", before.display()));
    open(&tmux);

    tmux.send(&["Enter"]);
    tmux.wait_for("KT-E2E-OUTPUT 42");
    tmux.wait_for("✓ passed");

    tmux.send(&["n"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("running");
    let sleepers = wait_for_descendants(&tmux, "sleep 100");
    tmux.send(&["C-c"]);
    tmux.wait_for("cancelled");
    let deadline = Instant::now() + Duration::from_secs(10);
    while sleepers.iter().any(|&pid| alive(pid)) {
        assert!(
            Instant::now() < deadline,
            "orphan left behind: {sleepers:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Ctrl-C never quits: the lesson is still on screen.
    assert!(tmux.screen().contains("Step 2/2"));

    tmux.send(&["q"]);
    let after = tmux.file("stty-after");
    tmux.wait_exit();
    tmux.wait_for(PROMPT);
    tmux.type_line(&format!("stty -a > {}", after.display()));
    tmux.wait_for(&format!("stty -a > {}", after.display()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::metadata(&after).map_or(true, |m| m.len() == 0) {
        assert!(
            Instant::now() < deadline,
            "stty -a did not run after quitting"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| std::fs::read_to_string(p).expect("stty output");
    assert_eq!(read(&before), read(&after), "terminal settings changed");
}

#[test]
fn sigterm_sighup_and_sigquit_restore_the_terminal() {
    let Some(tmux) = Tmux::start() else { return };
    let before = tmux.file("stty-before");
    tmux.type_line(&format!("stty -a > {}", before.display()));
    for signal in ["-TERM", "-HUP", "-QUIT"] {
        tmux.run(&["send-keys", "-t", "t", "clear", "Enter"]);
        open(&tmux);
        let app = descendants(tmux.pane_pid())
            .into_iter()
            .find(|(_, cmd)| cmd.contains("kubetutor"))
            .map(|(pid, _)| pid)
            .expect("kubetutor runs under the pane");
        Command::new("kill")
            .arg(signal)
            .arg(app.to_string())
            .status()
            .expect("kill");
        tmux.wait_exit();
        tmux.wait_for(PROMPT);
        let after = tmux.file(&format!("stty-after{signal}"));
        tmux.type_line(&format!("stty -a > {}", after.display()));
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::metadata(&after).map_or(true, |m| m.len() == 0) {
            assert!(
                Instant::now() < deadline,
                "stty -a did not run after {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let read = |p: &Path| std::fs::read_to_string(p).expect("stty output");
        assert_eq!(
            read(&before),
            read(&after),
            "terminal settings changed by {signal}"
        );
    }
}

#[test]
fn corrupt_progress_is_reported_and_no_color_is_honoured() {
    let Some(tmux) = Tmux::start() else { return };
    let dir = tmux.state.path().join("kubetutor/progress");
    let file = kubetutor::app::progress::file_for(&dir, Path::new(&fixture()));
    std::fs::create_dir_all(&dir).expect("progress dir");
    std::fs::write(&file, "{ this is not json").expect("corrupt file");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!(
        "NO_COLOR=1 XDG_STATE_HOME={state} {bin} {}",
        fixture()
    ));
    tmux.wait_for("Saved progress was unreadable");
    assert!(!file.exists(), "the corrupt file was moved aside");
    let styled = tmux.styled_screen();
    let colours = sgr_colours(&styled);
    assert!(
        colours.is_empty(),
        "colours {colours:?} drawn despite NO_COLOR"
    );
    tmux.send(&["q"]);
    tmux.wait_exit();
}

/// SGR parameters that set a colour (30-38, 40-48, 90-97, 100-107); 39/49 only reset.
fn sgr_colours(screen: &str) -> Vec<String> {
    let mut out = Vec::new();
    for seq in screen.split("\x1b[").skip(1) {
        let Some(end) = seq.find('m') else { continue };
        for param in seq[..end].split(';') {
            let n: u32 = param
                .split(':')
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            if matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107) {
                out.push(seq[..end].to_string());
            }
        }
    }
    out
}

/// Issue 18, item 13: `x` writes the session as a Markdown transcript in the folder kubetutor
/// was started from, a new file named after the lesson, and says where.
#[test]
fn x_exports_the_session_as_a_markdown_transcript() {
    let Some(tmux) = Tmux::start() else { return };
    let folder = tmux.file("exports");
    std::fs::create_dir_all(&folder).expect("folder");
    tmux.type_line(&format!("cd {}", folder.display()));
    open(&tmux);
    tmux.send(&["x"]);
    tmux.wait_for("Nothing to export yet");
    tmux.send(&["Enter"]);
    tmux.wait_for("✓ passed");
    tmux.send(&["x"]);
    tmux.wait_for("Transcript written:");
    let written: Vec<_> = std::fs::read_dir(&folder)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("e2e-transcript-") && name.ends_with(".md"),
        "{name}"
    );
    let text = std::fs::read_to_string(&written[0]).expect("transcript");
    assert!(text.contains("## Output"), "the lesson's text: {text}");
    assert!(text.contains("KT-E2E-OUTPUT 42"), "the output: {text}");
    assert!(text.contains("*exit 0 · "), "the verdict: {text}");
    tmux.send(&["q"]);
    tmux.wait_exit();
}

/// Issue 18, item 12: an author edits the lesson in another window; the open lesson reloads
/// (new prose and commands appear), what already ran keeps its result, and a version that does
/// not parse is refused with the error while the last good one stays.
#[test]
fn editing_the_lesson_file_reloads_it_in_place() {
    let Some(tmux) = Tmux::start() else { return };
    let file = tmux.file("authoring.md");
    let v1 = "---\ntitle: Draft\n---\n## One\n\n```sh {id=first}\necho KT-FIRST\n```\n";
    std::fs::write(&file, v1).expect("lesson");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!("XDG_STATE_HOME={state} {bin} {}", file.display()));
    tmux.wait_for("Step 1/1");
    tmux.send(&["Enter"]);
    tmux.wait_for("✓ passed");

    let v2 = format!(
        "{v1}\nA paragraph the author just wrote.\n\n## Two\n\n```sh {{id=second}}\necho KT-SECOND\n```\n"
    );
    std::fs::write(&file, v2).expect("edit");
    let screen = tmux.wait_for("A paragraph the author just wrote.");
    assert!(screen.contains("Step 1/2"), "{screen}");
    tmux.wait_for("Lesson reloaded");
    assert!(tmux.screen().contains("KT-FIRST"), "the first output stays");

    std::fs::write(&file, "---\ntitle: [unclosed\n---\n").expect("broken edit");
    tmux.wait_for("Not reloaded, the file has an error");
    tmux.send(&["n"]);
    tmux.send(&["Enter"]);
    // Its code says KT-SECOND too: wait for the output and the verdict.
    tmux.wait_until(
        "the second command's output",
        Duration::from_secs(20),
        |s| s.matches("KT-SECOND").count() >= 2 && s.matches("✓ passed").count() >= 2,
    );
    tmux.send(&["q"]);
    tmux.wait_exit();
}

/// Issue 18, item 13: `--record FILE.cast` keeps the session as an asciicast v2 recording
/// of what was drawn; an existing file is refused before the screen is taken.
#[test]
fn record_writes_an_asciicast_of_the_session() {
    let Some(tmux) = Tmux::start() else { return };
    let cast = tmux.file("demo.cast");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    let line = format!(
        "XDG_STATE_HOME={state} {bin} {} --record {}",
        fixture(),
        cast.display()
    );
    tmux.type_line(&line);
    tmux.wait_for("Step 1/2");
    tmux.send(&["Enter"]);
    tmux.wait_for("✓ passed");
    tmux.send(&["q"]);
    tmux.wait_exit();
    let text = std::fs::read_to_string(&cast).expect("the recording");
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(events[0]["version"], 2, "{}", events[0]);
    assert!(
        events[0]["width"].as_u64().is_some_and(|w| w >= 80),
        "{}",
        events[0]
    );
    let output: String = events[1..]
        .iter()
        .filter(|e| e[1] == "o")
        .filter_map(|e| e[2].as_str())
        .collect();
    assert!(
        output.contains("KT-E2E-OUTPUT 42"),
        "the cell's output was drawn"
    );
    let times: Vec<f64> = events[1..].iter().filter_map(|e| e[0].as_f64()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times go forward");

    // Again to the same file: refused, the recording kept, the shell usable.
    tmux.type_line(&format!("{line}; echo EXIT=$?"));
    let screen = tmux.wait_for("EXIT=1");
    assert!(screen.contains("never overwritten"), "{screen}");
    assert_eq!(std::fs::read_to_string(&cast).expect("kept"), text);
}
