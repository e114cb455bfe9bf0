//! Scratch lessons and the binary, for the hardening tests.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::tmux::Tmux;

pub const BIN: &str = env!("CARGO_BIN_EXE_kubetutor");

/// A lesson written to a fresh folder as `lesson.md`.
pub struct Scratch {
    pub dir: tempfile::TempDir,
    pub file: PathBuf,
}

pub fn scratch(markdown: &str) -> Scratch {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lesson.md");
    std::fs::write(&file, markdown).expect("write lesson");
    Scratch { dir, file }
}

/// `kubetutor ARGS` with no colour, no stdin, and its own state dir.
pub fn kubetutor(state: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", state)
        .stdin(Stdio::null())
        .output()
        .expect("run kubetutor")
}

/// Bytes a terminal would act on: C0 controls but newline (and tab), DEL, C1 (raw or UTF-8).
pub fn controls_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut found: Vec<String> = text
        .char_indices()
        .filter(|(_, c)| {
            (c.is_control() && *c != '\n' && *c != '\t') || ('\u{80}'..='\u{9f}').contains(c)
        })
        .map(|(i, c)| {
            format!(
                "{c:?} at {i}: {:?}",
                &text[i.saturating_sub(20)..(i + 20).min(text.len())]
            )
        })
        .collect();
    found.truncate(5);
    found
}

/// Opens `lesson` full-screen in the tmux pane with its own state dir.
pub fn open(tmux: &Tmux, lesson: &std::path::Path, wait: &str) {
    let state = tmux.state.path().display().to_string();
    tmux.type_line(&format!(
        "XDG_STATE_HOME={state} {BIN} {}",
        lesson.display()
    ));
    tmux.wait_for(wait);
}

/// The pid of the kubetutor under the pane.
pub fn app_pid(tmux: &Tmux) -> u32 {
    crate::tmux::descendants(tmux.pane_pid())
        .into_iter()
        .find(|(_, cmd)| cmd.starts_with(BIN))
        .map(|(pid, _)| pid)
        .expect("kubetutor runs under the pane")
}

/// `q`, and `y` when the app asks (it does while anything may still run), then waits.
pub fn quit(tmux: &Tmux) {
    tmux.send(&["q"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !crate::tmux::descendants(tmux.pane_pid()).is_empty()
        && std::time::Instant::now() < deadline
    {
        if tmux.screen().contains("y = quit") {
            tmux.send(&["y"]);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux.wait_exit();
}
