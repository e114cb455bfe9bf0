//! Item 8: opening a lesson is linear in its cells (100k cells took 83 s to the first frame
//! with `q` ignored), and a signal while it opens still restores the terminal.

use std::time::{Duration, Instant};

use crate::tmux::{PROMPT, Tmux};
use crate::util::{BIN, scratch};

fn many_cells(n: usize) -> String {
    let mut md = String::from("# Many\n\n");
    for i in 0..n {
        if i % 10 == 0 {
            md.push_str(&format!("## Step {}\n\n", i / 10 + 1));
        }
        md.push_str(&format!("```sh\necho cell {i}\n```\n\n"));
    }
    md
}

fn flags(tmux: &Tmux) -> String {
    tmux.run(&[
        "display-message",
        "-p",
        "-t",
        "t",
        "alt=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag}",
    ])
    .trim()
    .to_string()
}

#[test]
fn a_100k_cell_lesson_opens_and_quits() {
    let Some(tmux) = Tmux::start() else { return };
    let normal = flags(&tmux);
    let l = scratch(&many_cells(100_000));
    let state = tmux.state.path().display().to_string();
    let t = Instant::now();
    tmux.type_line(&format!(
        "XDG_STATE_HOME={state} {BIN} {}",
        l.file.display()
    ));
    // The debug build; the release budget (< 1 s) is benches/open.rs.
    tmux.wait_for("Step 1/10000");
    eprintln!(
        "first frame of 100k cells (debug build, in tmux): {:?}",
        t.elapsed()
    );
    crate::util::quit(&tmux);
    tmux.wait_for(PROMPT);
    assert_eq!(flags(&tmux), normal);
}

/// TERM, HUP and QUIT sent while a big lesson is still being opened: each is handled (the
/// terminal comes back as it was), never the default action that left the alternate screen,
/// mouse tracking and a hidden cursor on.
#[test]
fn signals_while_opening_restore_the_terminal() {
    let Some(tmux) = Tmux::start() else { return };
    let normal = flags(&tmux);
    let l = scratch(&many_cells(50_000));
    let state = tmux.state.path().display().to_string();
    for (i, signal) in ["-TERM", "-HUP", "-QUIT"].into_iter().enumerate() {
        tmux.type_line(&format!(
            "XDG_STATE_HOME={state} {BIN} {}; echo \"rc$?=\"{i}",
            l.file.display()
        ));
        // As soon as it runs, and again until it is gone.
        let deadline = Instant::now() + Duration::from_secs(20);
        let pid = loop {
            if let Some((pid, _)) = crate::tmux::descendants(tmux.pane_pid())
                .into_iter()
                .find(|(_, cmd)| cmd.starts_with(BIN))
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "kubetutor never started");
            std::thread::sleep(Duration::from_millis(5));
        };
        std::thread::sleep(Duration::from_millis(150));
        while crate::tmux::alive(pid) {
            let _ = std::process::Command::new("kill")
                .arg(signal)
                .arg(pid.to_string())
                .status();
            std::thread::sleep(Duration::from_millis(200));
            assert!(Instant::now() < deadline, "{signal} did not end it");
        }
        let screen = tmux.wait_for(&format!("={i}"));
        assert_eq!(flags(&tmux), normal, "{signal}:\n{screen}");
        tmux.run(&["send-keys", "-t", "t", "clear", "Enter"]);
    }
}
