//! `always=true` cells: they run after a failure (each on its own) and `--cleanup` runs only them.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::common::*;

fn ran(out: &std::process::Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("    ")?
                .strip_suffix("-ran")
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn a_failure_skips_the_rest_but_runs_the_cleanup_cells() {
    let lesson = lesson("cleanup");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        ran(&out),
        ["create", "breaks", "release-fails", "release"],
        "{text}"
    );
    assert!(
        text.contains("running 2 cleanup cells (always=true)"),
        "{text}"
    );
    assert!(text.contains("made-is-gone"), "{text}");
    assert_eq!(last_line(&out), "2 passed, 2 failed");
    assert!(!lesson.dir.path().join("made").exists());
}

#[test]
fn keep_going_runs_everything_once() {
    let lesson = lesson("cleanup");
    let out = run(&lesson, &["--keep-going"]);
    assert_eq!(
        ran(&out),
        ["create", "breaks", "after", "release-fails", "release"]
    );
    assert!(!stdout(&out).contains("cleanup cells"));
}

#[test]
fn cleanup_runs_only_the_always_cells() {
    let lesson = lesson("cleanup");
    std::fs::write(lesson.dir.path().join("made"), "").expect("write");
    let out = run(&lesson, &["--cleanup"]);
    assert_eq!(ran(&out), ["release-fails", "release"], "{}", stdout(&out));
    assert_eq!(last_line(&out), "1 passed, 1 failed");
    assert_eq!(out.status.code(), Some(1));
    assert!(!lesson.dir.path().join("made").exists());

    let out = run(&lesson, &["--cleanup", "--only", "create"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses the mix");
}

#[test]
fn cleanup_without_always_cells_says_how_to_mark_them() {
    let lesson = lesson("steps");
    let out = run(&lesson, &["--cleanup"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no cell is marked always=true") && err.contains("lesson.md"),
        "{err}"
    );
}

#[test]
fn an_interrupt_runs_no_cleanup_and_says_how() {
    let lesson = lesson("cleanup");
    let text = std::fs::read_to_string(&lesson.file).expect("read");
    let text = text.replace("echo breaks-ran; exit 3", "echo breaks-ran; sleep 30");
    std::fs::write(&lesson.file, text).expect("write");
    let mut child = kubetutor()
        .arg("run")
        .arg(&lesson.file)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        seen.push(line.clone());
        if line.contains("breaks-ran") {
            break;
        }
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).expect("kill");
    seen.extend(lines.map(|l| l.expect("line")));
    let status = child.wait().expect("wait");
    let text = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(!text.contains("release-ran"), "{text}");
    assert!(text.contains("kubetutor run --cleanup"), "{text}");
}
