//! Item 5 (rest): what a cell started outside its process group (`setsid`, `set -m`,
//! `setpgrp`, double-fork daemons) goes when that cell is cancelled or times out, not only
//! when kubetutor exits; another cell's background job and its daemons live on.

use std::process::Command;

use crate::common::{marker, processes_with, wait_gone};
use crate::tmux::Tmux;
use crate::util::{BIN, open, scratch};

/// Cell code that starts one escapee per technique, each sleeping for its own marker.
fn escapees(m: &[String]) -> String {
    format!(
        r#"setsid sleep {a} &
( set -m; sleep {b} & )
perl -e 'setpgrp(0,0); exec "sleep", "{c}"' &
python3 -c 'import os
if os.fork(): os._exit(0)
os.setsid()
if os.fork(): os._exit(0)
os.execvp("sleep", ["sleep", "{d}"])'
( ( setsid nohup sleep {e} >/dev/null 2>&1 & ) & )
"#,
        a = m[0],
        b = m[1],
        c = m[2],
        d = m[3],
        e = m[4]
    )
}

fn alive_all(markers: &[String]) -> Vec<String> {
    markers
        .iter()
        .flat_map(|m| processes_with(&format!("sleep {m}")))
        .collect()
}

#[test]
fn a_timed_out_cell_takes_its_escapees_and_spares_the_jobs() {
    let job: Vec<String> = (0..6).map(|i| marker(40 + i)).collect();
    let cell: Vec<String> = (0..5).map(|i| marker(50 + i)).collect();
    let check = format!(
        "sleep 1\nfor m in {}; do pgrep -f \"sleep $m\" >/dev/null && {{ echo \"SURVIVED $m\"; exit 1; }}; done\nfor m in {}; do pgrep -f \"sleep $m\" >/dev/null || {{ echo \"JOB LOST $m\"; exit 1; }}; done\necho SWEPT-OK",
        cell.join(" "),
        job.join(" ")
    );
    let md = format!(
        "# Orphans\n\n## Step 1\n\n```sh {{id=job background=true}}\n{}exec sleep {}\n```\n\n```sh {{id=victim timeout=2s}}\n{}sleep 100\n```\n\n```sh {{id=after}}\n{check}\n```\n",
        escapees(&job[..5]),
        job[5],
        escapees(&cell)
    );
    let l = scratch(&md);
    let out = Command::new(BIN)
        .args(["run", "--keep-going"])
        .arg(&l.file)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", l.dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("timed out"), "{text}");
    assert!(text.contains("SWEPT-OK"), "{text}");
    // And at exit the job's escapees go too.
    let all: Vec<String> = job.iter().chain(&cell).cloned().collect();
    for m in &all {
        assert!(
            wait_gone(&format!("sleep {m}"), 5).is_empty(),
            "{m} survived the exit"
        );
    }
}

#[test]
fn a_cancelled_cell_takes_its_escapees_in_the_tui() {
    let Some(tmux) = Tmux::start() else { return };
    let job: Vec<String> = (0..5).map(|i| marker(60 + i)).collect();
    let cell: Vec<String> = (0..5).map(|i| marker(70 + i)).collect();
    let md = format!(
        "# Orphans\n\n## Step 1\n\n```sh {{id=job background=true}}\n{}sleep 1000\n```\n\n```sh {{id=victim}}\n{}sleep 100\n```\n",
        escapees(&job),
        escapees(&cell)
    );
    let l = scratch(&md);
    open(&tmux, &l.file, "Step 1/1");
    tmux.send(&["Enter"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while alive_all(&job).len() < job.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "job escapees never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux.send(&["]"]);
    tmux.send(&["Enter"]);
    while alive_all(&cell).len() < cell.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "cell escapees never started:\n{}",
            tmux.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux.send(&["C-c"]);
    tmux.wait_for("cancelled");
    for m in &cell {
        let left = wait_gone(&format!("sleep {m}"), 5);
        assert!(left.is_empty(), "escaped the cancel: {left:?}");
    }
    assert_eq!(
        alive_all(&job).len(),
        job.len(),
        "the job's daemons were killed"
    );
    crate::util::quit(&tmux);
    for m in &job {
        assert!(
            wait_gone(&format!("sleep {m}"), 5).is_empty(),
            "{m} survived the exit"
        );
    }
}
