//! The last line of defence against orphans: a small bash process that outlives us. We tell it
//! (through its stdin) which process groups we own; when its stdin closes because we exited in
//! any way, SIGKILL included, it kills whatever groups are still listed. A normal exit has
//! already cleaned up, so it finds an empty list and just ends. It also removes the session
//! state directories it was told about (gone already after a normal exit).

use std::io::Write;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;

const SCRIPT: &str = r#"declare -A g; d=()
while read -r l; do
  case $l in +*) g[${l#+}]=1 ;; -*) unset "g[${l#-}]" ;; d*) d+=("${l#d}") ;; esac
done
for p in "${d[@]}"; do [ -d "$p" ] && rm -rf -- "$p"; done
[ ${#g[@]} -eq 0 ] && exit 0
for p in "${!g[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
sleep 1
for p in "${!g[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
"#;

enum State {
    NotStarted,
    Running(ChildStdin),
    Unavailable,
}

static WATCHDOG: Mutex<State> = Mutex::new(State::NotStarted);

fn start() -> State {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own group: a Ctrl-C meant for us must not take it down before it is needed.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    match cmd.spawn() {
        Ok(mut child) => match child.stdin.take() {
            Some(stdin) => State::Running(stdin),
            None => State::Unavailable,
        },
        Err(e) => {
            tracing::warn!("no orphan watchdog (cannot start bash: {e})");
            State::Unavailable
        }
    }
}

fn note(line: String) {
    let mut state = WATCHDOG.lock().unwrap_or_else(|e| e.into_inner());
    if matches!(*state, State::NotStarted) {
        *state = start();
    }
    if let State::Running(stdin) = &mut *state
        && stdin.write_all(line.as_bytes()).is_err()
    {
        *state = State::Unavailable;
    }
}

/// A group we now own.
pub fn watch(pgid: i32) {
    note(format!("+{pgid}\n"));
}

/// A session state directory to remove if we die without removing it.
pub fn remove_at_exit(dir: &std::path::Path) {
    let Some(path) = dir.to_str().filter(|p| !p.contains('\n')) else {
        return;
    };
    note(format!("d{path}\n"));
}

/// A group that is gone (or that we killed ourselves).
pub fn forget(pgid: i32) {
    note(format!("-{pgid}\n"));
}
