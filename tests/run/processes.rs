//! Process groups: Ctrl-C cancels cleanly and nothing outlives `kubetutor run`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::common::*;

fn interrupt_while_sleeping(sig: Signal, seed: u32, exit_code: i32) {
    let lesson = lesson("cancel");
    let mark = marker(seed);
    let mut child = kubetutor()
        .arg("run")
        .arg(&lesson.file)
        .env("KT_MARK", &mark)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("sleeping") {
            break;
        }
    }
    let needle = format!("sleep {mark}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while processes_with(&needle).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        processes_with(&needle).len(),
        2,
        "both sleeps run: {seen:?}"
    );
    kill(Pid::from_raw(child.id() as i32), sig).unwrap();
    seen.extend(lines.map(|l| l.unwrap()));
    let status = child.wait().unwrap();
    let text = seen.join("\n");
    assert_eq!(status.code(), Some(exit_code), "{text}");
    assert!(text.contains("[long] cancelled"), "{text}");
    assert!(!text.contains("never reached"), "{text}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("0 passed, 1 failed"),
        "{text}"
    );
    assert_eq!(wait_gone(&needle, 1), Vec::<String>::new(), "no orphans");
}

#[test]
fn ctrl_c_cancels_the_cell_and_leaves_no_orphans() {
    interrupt_while_sleeping(Signal::SIGINT, 2, 130);
}

#[test]
fn sigterm_cancels_the_cell_and_leaves_no_orphans() {
    interrupt_while_sleeping(Signal::SIGTERM, 3, 143);
}

#[test]
fn background_jobs_end_with_the_lesson() {
    let lesson = lesson("jobs");
    let mark = marker(4);
    let out = run_with(&lesson, &[], &[("KT_MARK", &mark)]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[server] started in the background"),
        "{text}"
    );
    assert!(text.contains("    [server] job up"), "{text}");
    assert!(text.contains("foreground done"), "{text}");
    assert!(
        text.contains("background job [server] was stopped"),
        "{text}"
    );
    assert_eq!(last_line(&out), "2 passed, 0 failed");
    assert_eq!(
        processes_with(&format!("sleep {mark}")),
        Vec::<String>::new(),
        "no orphans"
    );
}

#[test]
fn even_sigkill_leaves_no_orphans() {
    let lesson = lesson("kill9");
    let mark = marker(5);
    // Our scratch files (session state, the watchdog's list) go to the first tmpfs candidate.
    let scratch = tempfile::tempdir().unwrap();
    let mut child = kubetutor()
        .arg("run")
        .arg(&lesson.file)
        .env("KT_MARK", &mark)
        .env("XDG_RUNTIME_DIR", scratch.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        if line.unwrap().contains("    ready") {
            break;
        }
    }
    let needle = format!("sleep {mark}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while processes_with(&needle).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(processes_with(&needle).len(), 2, "job and cell run");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    assert_eq!(
        wait_gone(&needle, 5),
        Vec::<String>::new(),
        "no orphans after SIGKILL"
    );
    let scratch_path = scratch.path().to_string_lossy().into_owned();
    assert_eq!(
        wait_gone(&scratch_path, 5),
        Vec::<String>::new(),
        "the bash waiting for the next cell is gone too"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let left = loop {
        // The private-kubeconfig folder (`kubetutor/`, shared by every session) may stay,
        // empty; the session's own directory in it, with its kubeconfig, must be gone.
        let left: Vec<_> = std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .flat_map(|p| match std::fs::read_dir(&p) {
                Ok(inner) if p.ends_with("kubetutor") => {
                    inner.map(|e| e.unwrap().path()).collect::<Vec<_>>()
                }
                _ => vec![p],
            })
            .collect();
        if left.is_empty() || std::time::Instant::now() > deadline {
            break left;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(left.is_empty(), "scratch files left behind: {left:?}");
}

/// Hardened servers export `TMOUT`; bash applies it to every `read`, which both the orphan
/// watchdog and the bash waiting for the next cell use.
#[test]
fn a_tmout_in_the_environment_ends_nothing_early() {
    let lesson = lesson("tmout");
    let out = run_with(&lesson, &[], &[("TMOUT", "1")]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("    waited"), "{text}");
    assert!(text.contains("    still here"), "{text}");
    assert_eq!(last_line(&out), "3 passed, 0 failed", "{text}");
}

/// Processes that leave the cell's process group (a new session, their own group, a
/// double-forking daemon, a real `redis-server --daemonize yes`) are still gone after every
/// exit path: Ctrl-C, SIGTERM, SIGHUP and SIGKILL (the watchdog's sweep).
#[test]
fn processes_that_leave_the_group_do_not_outlive_kubetutor() {
    for (seed, sig) in [
        (21, None),
        (22, Some(Signal::SIGTERM)),
        (23, Some(Signal::SIGHUP)),
        (24, Some(Signal::SIGKILL)),
    ] {
        let mark = marker(seed);
        let dir = tempfile::tempdir().unwrap();
        let port = 17000 + seed as u16 * 7 + (std::process::id() % 500) as u16;
        let lesson = format!(
            "---\ntitle: Escape\n---\n# Escape\n\n## One\n\n\
             ```sh {{id=escapes}}\n\
             setsid sleep {mark} &\n\
             ( set -m; sleep {mark} & )\n\
             python3 -c 'import os,time\nif os.fork(): os._exit(0)\nos.setsid()\nif os.fork(): os._exit(0)\nos.execvp(\"sleep\", [\"sleep\", \"{mark}\"])'\n\
             {redis}redis-server --port {port} --bind 127.0.0.1 --daemonize yes --save '' --dir {dir} --logfile '' --pidfile {dir}/r.pid --unixsocket '' --protected-mode yes --maxmemory 10mb --loglevel warning --proc-title-template '{{title}} {mark}'\n\
             sleep 0.3; echo esc\"\"aped\n```\n\n\
             ```sh {{id=hold}}\nsleep {mark}\n```\n",
            dir = dir.path().display(),
            // Redis overwrites its environment (its process title): after a SIGKILL of ours
            // nothing can find it any more, the limit the docs state; every other path must.
            redis = if sig == Some(Signal::SIGKILL) {
                ": "
            } else {
                ""
            },
        );
        let file = dir.path().join("lesson.md");
        std::fs::write(&file, lesson).unwrap();
        let mut child = kubetutor()
            .arg("run")
            .arg(&file)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in lines {
            if line.unwrap().contains("escaped") {
                break;
            }
        }
        let needle = mark.to_string();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let want = if sig == Some(Signal::SIGKILL) { 3 } else { 4 };
        while processes_with(&needle).len() < want && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            processes_with(&needle).len() >= want,
            "setup: {:?}",
            processes_with(&needle)
        );
        match sig {
            Some(sig) => kill(Pid::from_raw(child.id() as i32), sig).unwrap(),
            None => {
                // A normal end: the holding cell is cancelled by SIGINT, as Ctrl-C would.
                kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap()
            }
        }
        child.wait().unwrap();
        assert_eq!(
            wait_gone(&needle, 8),
            Vec::<String>::new(),
            "survivors after {sig:?}"
        );
    }
}
