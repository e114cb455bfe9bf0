//! Item 13 (rest): a terminal that goes away (tmux kill-pane or kill-session, a hang-up with
//! the tty returning EIO) is not a panic: ratatui's Drop printing to the dead tty made
//! kubetutor exit 101. The exit status and stderr are kept in files outside the pane.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::tmux::Tmux;
use crate::util::{BIN, scratch};

const LESSON: &str = "# Gone\n\n## Step 1\n\n```sh\nfor i in $(seq 100000); do echo line $i; sleep 0.01; done\n```\n";

fn wait_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pane's shell ignores the hang-up so it can write kubetutor's status afterwards;
/// kubetutor itself gets SIGHUP (its handler is its own) and then EIO on the tty.
#[test]
fn killing_the_pane_or_session_is_a_clean_exit() {
    for how in ["kill-pane", "kill-session", "kill-server"] {
        let Some(tmux) = Tmux::start() else { return };
        let l = scratch(LESSON);
        let rc = tmux.file("rc");
        let state = tmux.state.path().display().to_string();
        // stderr stays on the tty: a panic printing to it is what this is about.
        tmux.type_line(&format!(
            "trap '' HUP; XDG_STATE_HOME={state} {BIN} {}; echo $? > {}",
            l.file.display(),
            rc.display()
        ));
        tmux.wait_for("Step 1/1");
        tmux.send(&["Enter"]);
        tmux.wait_for("line 3");
        let app = crate::util::app_pid(&tmux);
        match how {
            "kill-pane" => tmux.run(&["kill-pane", "-t", "t"]),
            "kill-session" => tmux.run(&["kill-session", "-t", "t"]),
            _ => tmux.run(&["kill-server"]),
        };
        let code = wait_file(&rc);
        let log = std::fs::read_to_string(tmux.file("kubetutor/kubetutor.log")).unwrap_or_default();
        assert_ne!(code.trim(), "101", "{how}: panicked:\n{log}");
        assert!(!log.contains("panic"), "{how}:\n{log}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while crate::tmux::alive(app) {
            assert!(
                Instant::now() < deadline,
                "{how}: kubetutor outlived its terminal"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
