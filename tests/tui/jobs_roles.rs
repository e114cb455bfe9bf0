//! Issue 18, item 12: the jobs pane says what each background job is now, from what it really
//! listens on (/proc) and what Sentinel reports for that port: a real redis-server and
//! redis-sentinel started by the lesson, in tmux.

use std::time::Duration;

use super::e2e::Tmux;
use super::redis::{free_port, sentinel_installed};

#[test]
fn the_jobs_pane_names_the_port_and_role_of_each_job() {
    if !sentinel_installed() {
        return;
    }
    let Some(tmux) = Tmux::start() else { return };
    tmux.run(&["resize-window", "-t", "t", "-x", "200", "-y", "50"]);
    let (server, sentinel) = (free_port(), free_port());
    let lesson = format!(
        "---\ntitle: Roles\npanes:\n  sentinel: {{ address: \"127.0.0.1:{sentinel}\" }}\n---\n\
         ## Start\n\n\
         ```sh {{id=conf}}\nprintf 'port {sentinel}\\nbind 127.0.0.1\\nsentinel monitor mymaster 127.0.0.1 {server} 1\\n' > \"$TMPDIR/s.conf\"\n```\n\n\
         ```sh {{id=server background=true}}\nredis-server --port {server} --bind 127.0.0.1 --save '' --appendonly no\n```\n\n\
         ```sh {{id=watcher background=true}}\nredis-sentinel \"$TMPDIR/s.conf\"\n```\n"
    );
    let file = tmux.file("roles.md");
    std::fs::write(&file, lesson).expect("lesson");
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    tmux.type_line(&format!("XDG_STATE_HOME={state} {bin} {}", file.display()));
    tmux.wait_for("Step 1/1");
    tmux.send(&["a"]);
    let row = |screen: &str, id: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!("│{id} :")))
            .map(str::to_string)
    };
    let screen = tmux.wait_until(
        "both roles in the jobs pane",
        Duration::from_secs(30),
        |s| {
            row(s, "server").is_some_and(|r| r.contains(&format!(":{server} master")))
                && row(s, "watcher").is_some_and(|r| r.contains(&format!(":{sentinel} sentinel")))
        },
    );
    assert!(screen.contains("up"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("Quit and stop them?");
    tmux.send(&["y"]);
    tmux.wait_exit();
}
