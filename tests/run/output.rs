//! Output: huge, binary, and the transcript.

use std::io::Read;
use std::process::Stdio;

use super::common::*;

/// Peak resident memory (VmHWM, kB) of a running process.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn hundred_megabytes_stream_with_bounded_memory() {
    let lesson = lesson("huge");
    let transcript = lesson.dir.path().join("transcript.md");
    let mut child = kubetutor()
        .arg("run")
        .arg(&lesson.file)
        .arg("--transcript")
        .arg(&transcript)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut total, mut tail) = (0u64, Vec::new());
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 4096 {
                tail.drain(..tail.len() - 4096);
            }
        }
        (total, tail)
    });
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(peak_kb(pid).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (total, tail) = reader.join().unwrap();
    let tail = String::from_utf8_lossy(&tail);
    assert!(child.wait().unwrap().success(), "{tail}");
    assert!(total > 100_000_000, "all output streamed, got {total}");
    assert!(tail.contains("    THE-END"), "{tail}");
    assert!(tail.trim_end().ends_with("1 passed, 0 failed"), "{tail}");
    assert!(peak < 80 * 1024, "peak RSS {peak} kB");
    let text = std::fs::read_to_string(&transcript).unwrap();
    assert!(
        text.len() < 2_000_000,
        "transcript is bounded: {}",
        text.len()
    );
    assert!(
        text.contains(" bytes dropped ...]"),
        "says what was dropped"
    );
    assert!(text.contains("THE-END"));
}

#[test]
fn binary_and_escape_sequences_pass_through() {
    let lesson = lesson("binary");
    let transcript = lesson.dir.path().join("t.md");
    let out = run(&lesson, &["--transcript", transcript.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("tail-marker"), "{text}");
    assert!(text.contains("    still fine"));
    assert_eq!(last_line(&out), "2 passed, 0 failed");
    let t = std::fs::read_to_string(&transcript).expect("transcript is UTF-8");
    assert!(t.contains("\nred\n"), "ANSI stripped, \\r handled: {t}");
    assert!(!t.contains('\x1b'));
}

#[test]
fn transcript_interleaves_source_and_outputs() {
    let lesson = lesson("state");
    let transcript = lesson.dir.path().join("out.md");
    let out = run(&lesson, &["--transcript", transcript.to_str().unwrap()]);
    assert!(out.status.success());
    let t = std::fs::read_to_string(&transcript).unwrap();
    let source = std::fs::read_to_string(&lesson.file).unwrap();
    for line in source.lines() {
        assert!(t.contains(line), "source line kept: {line}");
    }
    let expected =
        "greet arg\n```\n\n```text\nenv=hello world plain=kept pwd=sub\nfn: arg\n```\n\n*exit 0 · ";
    assert!(t.contains(expected), "{t}");
    let sample = t.find("sample output, never run").unwrap();
    assert!(
        !t[sample..].starts_with("sample output, never run\n```\n\n```text"),
        "{t}"
    );
    assert_eq!(t.matches("*exit 0 · ").count(), 7, "{t}");
}

#[test]
fn a_transcript_into_a_missing_folder_is_refused_before_anything_runs() {
    let lesson = lesson("state");
    let transcript = lesson.dir.path().join("no-such-folder/out.md");
    let out = run(&lesson, &["--transcript", transcript.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        !stdout(&out).contains("env=hello"),
        "no cell may run: {}",
        stdout(&out)
    );
}
