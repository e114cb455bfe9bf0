//! Interactive cells on their own pty, through the engine's API, against real programs.

use std::time::Duration;

use tokio::sync::mpsc;

use super::engine_tests::{lesson, output_of, plain, until_finished};
use super::term_emulator::TermSize;
use super::*;
use crate::lesson::CellAttrs;

fn inter() -> CellAttrs {
    CellAttrs {
        interactive: true,
        ..plain()
    }
}

fn tui(rows: u16, cols: u16) -> TermSpec {
    TermSpec {
        size: TermSize { rows, cols },
        script: None,
    }
}

fn text_of(events: &[ExecEvent], cell: usize) -> String {
    events
        .iter()
        .find_map(|e| match e {
            ExecEvent::TermText { cell: c, text } if *c == cell => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn finished(events: &[ExecEvent], cell: usize) -> (Outcome, Duration) {
    events
        .iter()
        .find_map(|e| match e {
            ExecEvent::Finished {
                cell: c,
                outcome,
                duration,
            } if *c == cell => Some((outcome.clone(), *duration)),
            _ => None,
        })
        .expect("finished")
}

/// Waits until the cell's terminal has shown `text` (raw bytes, escapes included).
async fn wait_output(
    rx: &mut mpsc::Receiver<ExecEvent>,
    cell: usize,
    text: &str,
) -> Vec<ExecEvent> {
    let mut seen = Vec::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {text:?} in {:?}", String::from_utf8_lossy(&seen)))
            .expect("engine alive");
        if let ExecEvent::Terminal { cell: c, bytes } = &ev
            && *c == cell
        {
            seen.extend_from_slice(bytes);
        }
        events.push(ev);
        if String::from_utf8_lossy(&seen).contains(text) {
            return events;
        }
    }
}

#[tokio::test]
async fn a_terminal_cell_shares_the_session_and_keeps_its_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let l = lesson(
        dir.path(),
        vec![
            (
                "export I=1; cd sub; [ -t 0 ] && echo tty; echo \"owner=$KUBETUTOR_OWNER\"",
                inter(),
            ),
            ("echo $I ${PWD##*/}", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run_terminal(0, tui(10, 40));
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    assert_eq!(finished(&ev, 0).0, Outcome::Passed);
    let text = text_of(&ev, 0);
    assert!(text.starts_with("tty\n"), "{text:?}");
    assert!(
        text.contains(&format!("owner={}", proc::owner_mark())),
        "{text:?}"
    );
    assert_eq!(output_of(&ev, 1), "1 sub\n");
    h.shutdown().await;
}

#[tokio::test]
async fn keys_sent_before_the_program_reads_reach_it_even_when_it_flushes() {
    // A line editor such as linenoise (redis-cli) discards typeahead as it starts
    // (TCSAFLUSH): keys sent at once must still arrive.
    let dir = tempfile::tempdir().unwrap();
    let code = "sleep 0.3; python3 -c 'import sys,termios; termios.tcflush(0, termios.TCIFLUSH); print(\"got:\" + input())'";
    let l = lesson(dir.path(), vec![(code, inter())]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run_terminal(0, tui(5, 40));
    h.term_input(0, b"q1a".to_vec());
    h.term_input(0, b"\r".to_vec());
    let ev = until_finished(&mut rx, 1).await;
    let (outcome, duration) = finished(&ev, 0);
    assert_eq!(outcome, Outcome::Passed, "{}", text_of(&ev, 0));
    assert!(text_of(&ev, 0).contains("got:q1a"), "{}", text_of(&ev, 0));
    assert!(duration >= Duration::from_millis(300), "{duration:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn resize_reaches_the_program_as_sigwinch_and_stty_size() {
    let dir = tempfile::tempdir().unwrap();
    let code =
        "stty size; trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.01; done";
    let l = lesson(dir.path(), vec![(code, inter())]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run_terminal(0, tui(12, 50));
    wait_output(&mut rx, 0, "ready").await;
    h.term_resize(
        0,
        TermSize {
            rows: 30,
            cols: 100,
        },
    );
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(finished(&ev, 0).0, Outcome::Passed);
    let text = text_of(&ev, 0);
    assert!(text.starts_with("12 50\nready\n30 100\n"), "{text:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn cancel_ends_a_program_that_ignores_signals_and_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let code =
        "trap '' INT TERM HUP; sleep 100 & echo \"pids $$ $!\"; while :; do sleep 0.05; done";
    let l = lesson(dir.path(), vec![(code, inter())]);
    let opts = EngineOptions {
        grace: Duration::from_millis(100),
        ..EngineOptions::default()
    };
    let (h, mut rx) = Engine::spawn(l, opts).unwrap();
    h.run_terminal(0, tui(5, 40));
    let seen = wait_output(&mut rx, 0, "\n").await;
    let bytes: Vec<u8> = seen
        .iter()
        .filter_map(|e| match e {
            ExecEvent::Terminal { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let line = String::from_utf8_lossy(&bytes).into_owned();
    let pids: Vec<u32> = line
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|p| p.parse().expect("pid"))
        .collect();
    h.cancel();
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(finished(&ev, 0).0, Outcome::Cancelled);
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    // SIGKILL is sent by then; under load the kernel may take a moment to finish them.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|&p| alive(p)) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for pid in pids {
        assert!(!alive(pid), "pid {pid} survived the cancel");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn headless_script_is_typed_line_by_line_then_end_of_input() {
    let dir = tempfile::tempdir().unwrap();
    // Flushing before every line, as a line editor does: each line must wait for its read.
    let code = "python3 -c '\nimport termios\nfor _ in range(2):\n    termios.tcflush(0, termios.TCIFLUSH)\n    print(\"got:\" + input(\"> \"))\n'; cat; echo eof";
    let l = lesson(dir.path(), vec![(code, inter())]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    let spec = TermSpec {
        size: TermSize::default(),
        script: Some(b"one\ntwo\n".to_vec()),
    };
    h.run_terminal(0, spec);
    let ev = until_finished(&mut rx, 1).await;
    let text = text_of(&ev, 0);
    assert_eq!(finished(&ev, 0).0, Outcome::Passed, "{text}");
    assert_eq!(text, "> one\ngot:one\n> two\ngot:two\neof\n");
    h.shutdown().await;
}

/// `kubectl exec -it` is ready for keys at once; the program it starts in the container may
/// take seconds to prompt, and flushes what was typed before. A stand-in named `kubectl` that
/// sleeps past the local settle limit before its line editor starts gets its line intact.
#[tokio::test]
async fn headless_script_waits_for_the_prompt_of_the_program_a_relay_starts() {
    let dir = tempfile::tempdir().unwrap();
    let relay = dir.path().join("kubectl");
    std::fs::write(
        &relay,
        "#!/bin/sh\nsleep 4\nexec python3 -c '\nimport termios\ntermios.tcflush(0, termios.TCIFLUSH)\nprint(\"got:\" + input(\"> \"))\n'\n",
    )
    .unwrap();
    std::fs::set_permissions(&relay, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let code = format!("PATH={}:$PATH kubectl", dir.path().display());
    let l = lesson(dir.path(), vec![(&code, inter())]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    let spec = TermSpec {
        size: TermSize::default(),
        script: Some(b"one\n".to_vec()),
    };
    h.run_terminal(0, spec);
    let ev = until_finished(&mut rx, 1).await;
    let text = text_of(&ev, 0);
    assert_eq!(finished(&ev, 0).0, Outcome::Passed, "{text}");
    assert_eq!(text, "> one\ngot:one\n");
    h.shutdown().await;
}

#[tokio::test]
async fn escapes_stay_in_the_emulator_and_the_text_is_plain() {
    let dir = tempfile::tempdir().unwrap();
    let code = r"printf '\033]0;TITLE\007\033]52;c;aGk=\007\033[?1000h\033[?1049h\033[2Jfull\033[?1049l\033[31mred\033[0m\n'";
    let l = lesson(dir.path(), vec![(code, inter())]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run_terminal(0, tui(5, 40));
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(text_of(&ev, 0), "red\n");
    h.shutdown().await;
}
