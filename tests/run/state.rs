//! Shell state "as if typed into one terminal": env, plain variables, functions, capture, cwd.

use super::common::*;
use super::redis::Redis;

#[test]
fn env_vars_functions_capture_and_cwd_persist() {
    let lesson = lesson("state");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("env=hello world plain=kept pwd=sub"),
        "{text}"
    );
    assert!(text.contains("fn: arg"), "{text}");
    assert!(
        text.contains("who=[captured value]"),
        "capture is trimmed: {text}"
    );
    assert!(
        text.contains("child sees who=[captured value] greeting=[hello world]"),
        "{text}"
    );
    assert!(
        text.contains("now in inner"),
        "cwd persists across steps: {text}"
    );
    assert!(text.contains("only=here"), "{text}");
    assert!(
        text.contains("only after=[unset]"),
        "env= is for its cell only: {text}"
    );
    assert_eq!(last_line(&out), "7 passed, 0 failed");
    assert!(
        !text.contains("sample output"),
        "text blocks never run: {text}"
    );
}

#[test]
fn verify_retries_until_it_passes() {
    let lesson = lesson("verify-pass");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("attempt 3"), "{text}");
    assert!(
        !text.contains("attempt 1\n"),
        "only the last attempt's output is shown: {text}"
    );
    let count = std::fs::read_to_string(lesson.dir.path().join("count")).unwrap();
    assert_eq!(count.trim(), "3");
    assert_eq!(last_line(&out), "1 passed, 0 failed");
}

#[test]
fn verify_exhausted_names_the_cell_and_shows_last_output() {
    let lesson = lesson("verify-fail");
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with('✗'))
        .expect("a failure line");
    assert!(
        line.contains("lesson.md:8 [never] verify never passed"),
        "{line}"
    );
    assert!(line.contains("last output: pods not ready yet"), "{line}");
    assert!(
        text.contains("  hint: check kubectl get pods for pods stuck in Pending."),
        "{text}"
    );
    assert_eq!(last_line(&out), "0 passed, 1 failed");
}

#[test]
fn interactive_cells_get_their_stdin_or_are_skipped() {
    let Some(redis) = Redis::start() else { return };
    let lesson = lesson("interactive");
    let transcript = lesson.dir.path().join("transcript.md");
    let port = redis.port.to_string();
    let out = run_with(
        &lesson,
        &["--transcript", transcript.to_str().expect("utf-8")],
        &[("KT_REDIS_PORT", &port)],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("lesson.md:8 [prompt] skipped: interactive: no stdin= to type into it"),
        "{text}"
    );
    // Typed line by line into a terminal: the prompts and the echo are the session's text.
    assert!(
        text.contains("    name? Ada\n    last? Lovelace\n    hello Ada Lovelace\n"),
        "{text}"
    );
    // The state it leaves is carried on, as for any cell.
    assert!(text.contains("    after the prompt, NAME=Ada"), "{text}");
    assert_eq!(redis.cli(&["get", "k"]), "h1a");
    let session =
        format!("127.0.0.1:{port}> set k h1a\n    OK\n    127.0.0.1:{port}> get k\n    \"h1a\"");
    assert!(text.contains(&session), "{text}");
    assert_eq!(last_line(&out), "3 passed, 0 failed, 1 skipped");
    let written = std::fs::read_to_string(&transcript).expect("transcript");
    assert!(
        written.contains("hello Ada Lovelace") && written.contains("\"h1a\""),
        "{written}"
    );
}
