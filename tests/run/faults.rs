//! Bad input and faults: each a clear message naming `lesson.md:LINE`, never a hang.

use super::common::*;

#[test]
fn command_not_found_names_the_line() {
    let lesson = lesson("notfound");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("lesson.md:10 [typo] command not found: nosuchcommand-kt (exit 127)"),
        "{text}"
    );
}

#[test]
fn timeout_stops_the_cell() {
    let lesson = lesson("timeout");
    let mark = marker(1);
    let start = std::time::Instant::now();
    let out = run_with(&lesson, &[], &[("KT_MARK", &mark)]);
    let text = stdout(&out);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    assert!(
        text.contains("lesson.md:8 [hang] timed out after 1s"),
        "{text}"
    );
    assert_eq!(last_line(&out), "0 passed, 1 failed");
    assert_eq!(wait_gone(&format!("sleep {mark}"), 5), Vec::<String>::new());
}

#[test]
fn stdin_is_closed() {
    let lesson = lesson("stdin");
    let start = std::time::Instant::now();
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert!(start.elapsed().as_secs() < 20);
    assert!(text.contains("cat rc=0"), "{text}");
    assert!(text.contains("read rc=1"), "{text}");
}

#[test]
fn missing_workdir_is_reported() {
    let lesson = lesson("workdir");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("lesson.md:9 [go] missing workdir:"), "{text}");
    assert!(text.contains("does-not-exist does not exist"), "{text}");
}

#[test]
fn bash_missing_is_reported() {
    let lesson = lesson("steps");
    let out = run_with(&lesson, &[], &[("KUBETUTOR_BASH", "/nonexistent/bash")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("bash missing: cannot run /nonexistent/bash"),
        "{text}"
    );
    assert_eq!(last_line(&out), "0 passed, 1 failed");
}

#[test]
fn counts_stop_at_first_failure_and_keep_going() {
    let lesson = lesson("counts");
    let out = run(&lesson, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("lesson.md:12 [bad] exit 3"),
        "{}",
        stdout(&out)
    );
    assert_eq!(last_line(&out), "1 passed, 1 failed");
    assert!(!stdout(&out).contains("    two"));

    let out = run(&lesson, &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(last_line(&out), "3 passed, 1 failed");

    let skip = [("KUBETUTOR_SKIP_NEEDS", "gpu,containers")];
    let out = run_with(&lesson, &["--keep-going"], &skip);
    let text = stdout(&out);
    assert!(
        text.contains("[containers] skipped: needs containers"),
        "{text}"
    );
    assert_eq!(last_line(&out), "2 passed, 1 failed, 1 skipped");

    let out = run_with(&lesson, &["--only", "first", "--only", "containers"], &skip);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(last_line(&out), "1 passed, 0 failed, 1 skipped");
}

#[test]
fn kubectl_cells_need_confirmation() {
    let lesson = lesson("kubectl");
    let kubeconfig = lesson.dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, KUBECONFIG).unwrap();
    let runtime = lesson.dir.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let kc = kubeconfig.to_str().unwrap();
    let env = [
        ("KUBECONFIG", kc),
        ("XDG_RUNTIME_DIR", runtime.to_str().unwrap()),
    ];

    let out = run_with(&lesson, &[], &env);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("    local\n"),
        "cells before the first kubectl run: {text}"
    );
    assert!(
        text.contains("Cluster: context kt-test, server https://127.0.0.1:6443"),
        "{text}"
    );
    assert!(text.contains("Namespace: kt-run-test"), "{text}");
    assert!(
        text.contains("lesson.md:15 [pods] refusing to run kubectl cells"),
        "{text}"
    );
    assert!(
        text.contains("stdin is not a terminal; pass --yes"),
        "{text}"
    );
    assert!(
        !text.contains("    kubeconfig="),
        "the kubectl cell must not run: {text}"
    );
    assert_eq!(last_line(&out), "1 passed, 1 failed");

    // Confirmed, but nothing answers at 127.0.0.1:6443: the lesson namespace cannot be made
    // sure of, so the kubectl cell must not run and the error must say what to do.
    let out = run_with(&lesson, &["--yes"], &env);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("could not make sure namespace `kt-run-test` exists on context `kt-test`"),
        "{text}"
    );
    assert!(text.contains("kubetutor doctor"), "{text}");
    assert!(
        !text.contains("    kubeconfig="),
        "the kubectl cell must not run: {text}"
    );
}

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
current-context: kt-test
clusters:
- name: kt-test
  cluster:
    server: https://127.0.0.1:6443
contexts:
- name: kt-test
  context:
    cluster: kt-test
    user: kt-test
users:
- name: kt-test
  user:
    token: not-a-real-token
";

#[test]
fn a_variable_never_set_is_named() {
    let lesson = lesson("unset");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("kubetutor: $POD_NAME is not set: no earlier cell exports or captures it"),
        "{text}"
    );
    assert!(text.contains("lesson.md:8 [logs] exit 2"), "{text}");
}

/// Durations too long to add to a clock used to pass `check` and then panic the engine; now
/// every such value is refused up front, at its line, and nothing runs.
#[test]
fn huge_durations_are_refused_before_anything_runs() {
    for attrs in [
        "timeout=18446744073709551615",
        "timeout=99999999999999999999999",
        "verify=true retry=18446744073709551615",
        "verify=true interval=18446744073709551615s",
        "timeout=10000000h",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lesson.md");
        std::fs::write(
            &file,
            format!("---\ntitle: T\n---\n# T\n\n## S\n\n```sh {{{attrs}}}\necho ran\n```\n"),
        )
        .unwrap();
        for sub in ["check", "run"] {
            let out = kubetutor().arg(sub).arg(&file).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{sub} {attrs}: {text}");
            assert!(!text.contains("panicked"), "{sub} {attrs}: {text}");
            assert!(
                text.contains("lesson.md:8"),
                "{sub} {attrs}: no line: {text}"
            );
            assert!(!text.contains("\n    ran"), "{sub} {attrs}: ran: {text}");
        }
    }
}

/// `--transcript` naming the lesson (by any path) or a translation beside it is refused before
/// anything runs; the lesson is left as it was.
#[test]
fn a_transcript_never_overwrites_the_lesson() {
    let lesson = lesson("state");
    let before = std::fs::read(&lesson.file).unwrap();
    let translation = lesson.dir.path().join("lesson.zh-CN.md");
    std::fs::write(&translation, "x").unwrap();
    let link = lesson.dir.path().join("link.md");
    std::os::unix::fs::symlink(&lesson.file, &link).unwrap();
    let dotted = lesson.dir.path().join(".").join("lesson.md");
    for dest in [&lesson.file, &translation, &link, &dotted] {
        let dest = dest.to_str().unwrap();
        let out = run(&lesson, &["--transcript", dest]);
        assert!(!out.status.success(), "{dest}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("the lesson itself"),
            "{dest}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(std::fs::read(&lesson.file).unwrap(), before);
    assert_eq!(std::fs::read(&translation).unwrap(), b"x");
}
