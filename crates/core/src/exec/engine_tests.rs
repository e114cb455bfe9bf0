//! The engine's API as the TUI uses it, against real bash, on lessons built in code.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::*;
use crate::lesson::{Block, Cell, CellAttrs, Lesson, Meta, Step};

pub(super) fn lesson(dir: &std::path::Path, cells: Vec<(&str, CellAttrs)>) -> Arc<Lesson> {
    let blocks = cells
        .into_iter()
        .enumerate()
        .map(|(i, (code, attrs))| {
            let cell = Cell {
                id: format!("c{i}"),
                lang: "sh".into(),
                code: code.into(),
                attrs,
                span: Default::default(),
                hint: None,
            };
            Block::Cell(cell)
        })
        .collect();
    let step = Step {
        title: "Only".into(),
        span: Default::default(),
        blocks,
    };
    Arc::new(Lesson {
        path: dir.join("lesson.md"),
        meta: Meta::default(),
        intro: vec![],
        steps: vec![step],
    })
}

pub(super) fn plain() -> CellAttrs {
    CellAttrs::default()
}

/// Collects events until `n` Finished events arrived (or 20 s passed).
pub(super) async fn until_finished(rx: &mut mpsc::Receiver<ExecEvent>, n: usize) -> Vec<ExecEvent> {
    let mut out = Vec::new();
    let mut finished = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while finished < n {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out")
            .expect("engine alive");
        finished += matches!(ev, ExecEvent::Finished { .. }) as usize;
        out.push(ev);
    }
    out
}

pub(super) fn output_of(events: &[ExecEvent], cell: usize) -> String {
    let bytes: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            ExecEvent::Output { cell: c, bytes, .. } if *c == cell => Some(bytes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub(super) fn outcome_of(events: &[ExecEvent], cell: usize) -> Outcome {
    events
        .iter()
        .find_map(|e| match e {
            ExecEvent::Finished {
                cell: c, outcome, ..
            } if *c == cell => Some(outcome.clone()),
            _ => None,
        })
        .expect("finished")
}

#[tokio::test]
async fn events_come_in_order_and_state_carries_over() {
    let dir = tempfile::tempdir().unwrap();
    let capture = CellAttrs {
        capture: Some("CAP".into()),
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            ("echo out; echo err >&2; export A=1", plain()),
            ("printf ' v\\n'", capture),
            ("echo $A-$CAP-$B", plain()),
        ],
    );
    let opts = EngineOptions {
        env: vec![("B".into(), "b".into())],
        ..EngineOptions::default()
    };
    let (h, mut rx) = Engine::spawn(l, opts).unwrap();
    h.run(0);
    h.run(1);
    h.run(2);
    let ev = until_finished(&mut rx, 3).await;
    assert_eq!(
        ev[0],
        ExecEvent::Started {
            cell: 0,
            attempt: 1
        }
    );
    assert!(matches!(
        ev.last(),
        Some(ExecEvent::Finished {
            cell: 2,
            outcome: Outcome::Passed,
            ..
        })
    ));
    assert_eq!(output_of(&ev, 2), "1-v-b\n");
    assert!(output_of(&ev, 0).contains("out\n") && output_of(&ev, 0).contains("err\n"));
    h.shutdown().await;
}

#[tokio::test]
async fn a_failed_step_skips_the_rest_of_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![
            ("exit 4", plain()),
            ("echo no", plain()),
            ("echo later", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue(vec![0, 1].into_iter().map(|c| (c, None)).collect(), true);
    h.run(2);
    let ev = until_finished(&mut rx, 3).await;
    assert_eq!(
        outcome_of(&ev, 0),
        Outcome::Failed {
            code: Some(4),
            signal: None
        }
    );
    assert!(matches!(outcome_of(&ev, 1), Outcome::Skipped { .. }));
    assert_eq!(outcome_of(&ev, 2), Outcome::Passed);
    assert_eq!(output_of(&ev, 1), "");
    h.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_the_running_cell_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![("echo go; sleep 30", plain()), ("echo next", plain())],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    h.run(1);
    while !matches!(rx.recv().await, Some(ExecEvent::Output { .. })) {}
    let t = std::time::Instant::now();
    h.cancel();
    let ev = until_finished(&mut rx, 2).await;
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(outcome_of(&ev, 0), Outcome::Cancelled);
    assert_eq!(
        outcome_of(&ev, 1),
        Outcome::Passed,
        "the queue goes on after a single cancel"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn background_jobs_report_and_stop_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let bg = CellAttrs {
        background: true,
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![("echo up; exec sleep 30", bg), ("echo fg", plain())],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    let pid = ev.iter().find_map(|e| match e {
        ExecEvent::JobStarted { cell: 0, pid } => Some(*pid),
        _ => None,
    });
    let pid = pid.expect("JobStarted before Finished");
    assert_eq!(outcome_of(&ev, 0), Outcome::Passed);
    let shutdown = tokio::spawn(async move { h.shutdown().await });
    let mut rest = Vec::new();
    while let Some(e) = rx.recv().await {
        rest.push(e);
    }
    shutdown.await.unwrap();
    assert!(
        rest.contains(&ExecEvent::JobExited {
            cell: 0,
            code: None
        }),
        "{rest:?}"
    );
    let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None).is_ok();
    assert!(!alive, "job {pid} still running");
}

#[tokio::test]
async fn small_writes_are_coalesced() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![("for i in $(seq 20000); do echo $i; done", plain())],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    let ev = until_finished(&mut rx, 1).await;
    let chunks = ev
        .iter()
        .filter(|e| matches!(e, ExecEvent::Output { .. }))
        .count();
    assert!(output_of(&ev, 0).ends_with("19999\n20000\n"));
    assert!(chunks < 2_000, "{chunks} output events for 20000 writes");
    h.shutdown().await;
}

#[tokio::test]
async fn skipped_cells_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let needs = CellAttrs {
        needs: vec!["containers".into()],
        ..plain()
    };
    let off = CellAttrs {
        run: false,
        ..plain()
    };
    let l = lesson(dir.path(), vec![("echo a", needs), ("echo b", off)]);
    let opts = EngineOptions {
        skip_needs: vec!["containers".into()],
        ..Default::default()
    };
    let (h, mut rx) = Engine::spawn(l, opts).unwrap();
    h.queue(vec![0, 1].into_iter().map(|c| (c, None)).collect(), true);
    let ev = until_finished(&mut rx, 2).await;
    let Outcome::Skipped { reason } = outcome_of(&ev, 0) else {
        panic!("{ev:?}")
    };
    assert!(reason.contains("needs containers"), "{reason}");
    assert_eq!(
        outcome_of(&ev, 1),
        Outcome::Skipped {
            reason: "run=false".into()
        }
    );
    h.shutdown().await;
}

/// Exported values survive the dump/parse round trip byte for byte.
async fn round_trip(values: &[Vec<u8>]) {
    let dir = tempfile::tempdir().unwrap();
    let mut cells = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let escaped: String = v.iter().map(|b| format!("\\x{b:02x}")).collect();
        cells.push((
            format!("export V{i}=\"$(printf '{escaped}_')\"; V{i}=${{V{i}%_}}"),
            plain(),
        ));
    }
    let dump: String = (0..values.len())
        .map(|i| format!("printf '%s\\0' \"$V{i}\"; "))
        .collect();
    cells.push((dump, plain()));
    let cells: Vec<(&str, CellAttrs)> =
        cells.iter().map(|(c, a)| (c.as_str(), a.clone())).collect();
    let l = lesson(dir.path(), cells);
    let n = values.len();
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue((0..=n).map(|c| (c, None)).collect(), true);
    let ev = until_finished(&mut rx, n + 1).await;
    let bytes: Vec<u8> = ev
        .iter()
        .filter_map(|e| match e {
            ExecEvent::Output { cell, bytes, .. } if *cell == n => Some(bytes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let got: Vec<&[u8]> = bytes.split(|&b| b == 0).take(n).collect();
    let want: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    assert_eq!(got, want);
    h.shutdown().await;
}

#[tokio::test]
async fn tricky_values_round_trip_exactly() {
    let values: Vec<Vec<u8>> = vec![
        b"plain".to_vec(),
        b"".to_vec(),
        b"two\nlines\n".to_vec(),
        b"q\"uo'te \\ $dollar `tick`".to_vec(),
        b"\x01\x1b[31m\x7f\xff\xfe".to_vec(),
        "中文 é ☃".as_bytes().to_vec(),
        b"declare -x FAKE=\"x\"\n".to_vec(),
        b"tab\there\r".to_vec(),
    ];
    round_trip(&values).await;
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
    #[test]
    fn any_bytes_round_trip(values in proptest::collection::vec(proptest::collection::vec(1u8..=255, 0..40), 1..5)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(round_trip(&values));
    }
}

#[tokio::test]
async fn shutdown_never_waits_on_a_consumer_that_stopped_reading() {
    let dir = tempfile::tempdir().unwrap();
    let bg = CellAttrs {
        background: true,
        ..plain()
    };
    let l = lesson(dir.path(), vec![("yes job", bg), ("yes cell", plain())]);
    let opts = EngineOptions {
        event_capacity: 4,
        ..Default::default()
    };
    let (h, mut rx) = Engine::spawn(l, opts).unwrap();
    h.run(0);
    h.run(1);
    // Read until the job is up and the cell runs, then stop reading: the cell's output fills
    // the channel, so the engine is stuck sending to a consumer that no longer reads.
    let (mut job, mut cell) = (false, false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !(job && cell) {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("JobStarted and Started in time")
            .expect("engine alive");
        job |= matches!(ev, ExecEvent::JobStarted { cell: 0, .. });
        cell |= matches!(ev, ExecEvent::Started { cell: 1, .. });
    }
    while rx.len() < rx.max_capacity() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "channel never filled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let t = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(15), h.shutdown())
        .await
        .expect("shutdown hung");
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
}

#[tokio::test]
async fn rerunning_a_background_cell_restarts_it_and_shutdown_stops_the_new_job() {
    let dir = tempfile::tempdir().unwrap();
    let bg = CellAttrs {
        background: true,
        ..plain()
    };
    let l = lesson(dir.path(), vec![("exec sleep 31", bg)]);
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    let first = until_finished(&mut rx, 1).await;
    h.run(0);
    let second = until_finished(&mut rx, 1).await;
    let pid_of = |events: &[ExecEvent]| {
        events.iter().find_map(|e| match e {
            ExecEvent::JobStarted { cell: 0, pid } => Some(*pid),
            _ => None,
        })
    };
    let (old, new) = (pid_of(&first).unwrap(), pid_of(&second).unwrap());
    assert_ne!(old, new);
    // The old job's end is reported before the new job starts, so a UI keyed by cell ends
    // up showing the new job as running.
    let exited = second
        .iter()
        .position(|e| matches!(e, ExecEvent::JobExited { cell: 0, .. }));
    let started = second
        .iter()
        .position(|e| matches!(e, ExecEvent::JobStarted { cell: 0, .. }));
    assert!(exited.unwrap() < started.unwrap(), "{second:?}");
    let alive =
        |pid: u32| nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None).is_ok();
    assert!(!alive(old), "replaced job {old} still running");

    let shutdown = tokio::spawn(async move { h.shutdown().await });
    while rx.recv().await.is_some() {}
    shutdown.await.unwrap();
    assert!(!alive(new), "restarted job {new} outlived shutdown");
}

/// Cells run in a bash started ahead of them (see `warm.rs`): everything a fresh `bash -c`
/// would show must hold there too.
#[tokio::test]
async fn a_bash_started_ahead_is_indistinguishable_from_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let only_here = CellAttrs {
        env: vec![("ONLY".into(), "here".into())],
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            ("export X=1 GONE=1 'Q=it'\\''s'; cd sub", plain()),
            (
                "unset GONE; echo \"$X ${GONE-unset} $Q ${PWD##*/} $OLDPWD $0 $#\"",
                plain(),
            ),
            (
                "echo $$ $BASHPID; readlink /proc/$$/fd/0; read -r line; echo read:$?; sleep 1.2",
                plain(),
            ),
            ("echo $$ $SECONDS", plain()),
            ("echo $ONLY", only_here),
            ("echo ${ONLY-gone} ${GONE-unset}; exit 7", plain()),
            ("kill $$", plain()),
            ("echo still $X", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    for cell in 0..8 {
        h.run(cell);
    }
    let ev = until_finished(&mut rx, 8).await;
    let workdir = dir.path().display().to_string();
    assert_eq!(
        output_of(&ev, 1),
        format!("1 unset it's sub {workdir} bash 0\n")
    );
    let first = output_of(&ev, 2);
    let pids: Vec<&str> = first.split_whitespace().take(2).collect();
    assert_eq!(pids[0], pids[1], "$$ is the cell's own process");
    assert!(
        first.ends_with("\n/dev/null\nread:1\n"),
        "stdin is /dev/null: {first}"
    );
    let third = output_of(&ev, 3);
    let (pid, seconds) = third.trim().split_once(' ').unwrap();
    assert_ne!(pid, pids[0], "each cell has its own bash");
    assert_eq!(
        seconds, "0",
        "SECONDS counts from the cell's start: {third}"
    );
    assert_eq!(output_of(&ev, 4), "here\n");
    assert_eq!(output_of(&ev, 5), "gone unset\n");
    assert!(matches!(
        outcome_of(&ev, 5),
        Outcome::Failed { code: Some(7), .. }
    ));
    assert!(matches!(
        outcome_of(&ev, 6),
        Outcome::Failed {
            signal: Some(15),
            ..
        }
    ));
    assert_eq!(output_of(&ev, 7), "still 1\n");
    h.shutdown().await;
}

#[tokio::test]
async fn a_cell_that_kills_the_waiting_bash_does_not_break_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![
            // The bash started ahead for the next cell has this session's script path as its
            // last argument, as this cell's bash has (tests run side by side in one process).
            (
                "sleep 0.2; for p in $(pgrep -f -- \"$(tail -zn1 /proc/$$/cmdline | tr -d '\\0')\"); do [ $p = $$ ] || kill $p; done",
                plain(),
            ),
            ("echo next", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    assert_eq!(outcome_of(&ev, 0), Outcome::Passed);
    assert_eq!(output_of(&ev, 1), "next\n", "{ev:?}");
    assert_eq!(outcome_of(&ev, 1), Outcome::Passed);
    h.shutdown().await;
}

#[tokio::test]
async fn stdout_and_stderr_keep_the_order_they_were_written_in() {
    let dir = tempfile::tempdir().unwrap();
    let capture = CellAttrs {
        capture: Some("OUT".into()),
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            (
                "for i in $(seq 500); do echo out$i; echo err$i >&2; done",
                plain(),
            ),
            ("echo kept; echo noise >&2", capture),
            ("echo \"[$OUT]\"", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue(vec![0, 1, 2].into_iter().map(|c| (c, None)).collect(), true);
    let ev = until_finished(&mut rx, 3).await;
    let want: String = (1..=500).map(|i| format!("out{i}\nerr{i}\n")).collect();
    assert_eq!(output_of(&ev, 0), want);
    assert_eq!(output_of(&ev, 2), "[kept]\n", "capture takes stdout only");
    h.shutdown().await;
}

/// Review findings against a bash started ahead, each checked against what a fresh `bash -c`
/// in the cell's directory and environment does.
#[tokio::test]
async fn a_bash_started_ahead_follows_fresh_bash_in_the_corners() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["real/sub", "real/x", "x"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::os::unix::fs::symlink(root.join("real/sub"), root.join("link")).unwrap();
    let with = |env: &[(&str, &str)], cwd: Option<&str>| CellAttrs {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        cwd: cwd.map(Into::into),
        ..plain()
    };
    let l = lesson(
        root,
        vec![
            // 0: `$_` as a fresh bash has it.
            ("echo \"$_\"", plain()),
            // 1-2: the directory behind the same path is replaced while the next bash waits.
            ("mkdir w; cd w", plain()),
            (
                "sleep 0.3; cd ..; rm -rf w; mkdir w; touch w/fresh; cd w",
                plain(),
            ),
            ("ls", plain()),
            // 4: IFS from the environment is ignored by bash.
            (
                "x=a,b; for i in $x; do echo \"[$i]\"; done",
                with(&[("IFS", ",")], None),
            ),
            // 5: `..` after a symlink is resolved physically, as chdir does.
            ("pwd -P", with(&[], Some("link/../x"))),
            // 6: a function exported as `cd` does not run in place of the builtin.
            (
                "echo six",
                with(&[("BASH_FUNC_cd%%", "() { echo wrapper; }")], None),
            ),
            // 7-8: a stopped waiting bash is replaced.
            (
                "sleep 0.2; for p in $(pgrep -f -- \"$(tail -zn1 /proc/$$/cmdline | tr -d '\\0')\"); do [ $p = $$ ] || kill -STOP $p; done",
                plain(),
            ),
            ("echo eight", plain()),
            // 9: NUL cannot reach bash.
            ("echo a\0b", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    for cell in 0..10 {
        h.run(cell);
    }
    let ev = until_finished(&mut rx, 10).await;
    let underscore = output_of(&ev, 0);
    assert!(
        underscore.trim_end().ends_with("bash") && !underscore.contains("__kt"),
        "{underscore}"
    );
    assert_eq!(output_of(&ev, 3), "fresh\n");
    assert_eq!(output_of(&ev, 4), "[a,b]\n");
    let physical = output_of(&ev, 5);
    assert!(physical.trim_end().ends_with("/real/x"), "{physical}");
    assert_eq!(output_of(&ev, 6), "six\n");
    assert_eq!(output_of(&ev, 8), "eight\n", "{ev:?}");
    match outcome_of(&ev, 9) {
        Outcome::Error { message } => assert!(message.contains("NUL"), "{message}"),
        other => panic!("NUL code ran: {other:?}"),
    }
    h.shutdown().await;
}

#[tokio::test]
async fn what_cells_make_in_tmpdir_is_gone_after_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![("d=$(mktemp -d); touch \"$d/data\"; echo \"$d\"", plain())],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(outcome_of(&ev, 0), Outcome::Passed);
    let made = std::path::PathBuf::from(output_of(&ev, 0).trim());
    assert!(made.join("data").exists(), "{}", made.display());
    let scratch = made.parent().unwrap().to_path_buf();
    assert!(
        scratch
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("kubetutor-tmp-"),
        "mktemp used the session's TMPDIR: {}",
        made.display()
    );
    h.shutdown().await;
    assert!(!scratch.exists(), "{} left behind", scratch.display());
}

/// Issue 19, item 4: a cell with `until=` waits for the effect, then runs its code. One that
/// arrived while the cell before ran counts; none within `timeout=` fails the cell and says
/// what it waited for.
#[tokio::test]
async fn a_cell_waits_for_its_effect_then_runs() {
    use crate::effects::{Observed, ObservedKind};
    use crate::lesson::Until;
    let dir = tempfile::tempdir().unwrap();
    let waits = |timeout: u64| CellAttrs {
        until: Some(Until::Sentinel {
            name: "+switch-master".into(),
            words: vec!["mymaster".into()],
        }),
        timeout: Some(Duration::from_secs(timeout)),
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            ("sleep 0.3", plain()),
            ("echo after-the-switch", waits(10)),
            ("echo never", waits(1)),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    let switch = || {
        Observed::new(
            std::time::SystemTime::now(),
            "sentinel-26479",
            ObservedKind::Sentinel {
                name: "+switch-master".into(),
                detail: "mymaster 127.0.0.1 16379 127.0.0.1 16380".into(),
            },
        )
    };
    // Observed while cell 0 runs: cell 1 finds it at once.
    h.run(0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    h.observed(switch());
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    assert_eq!(outcome_of(&ev, 1), Outcome::Passed);
    let out = output_of(&ev, 1);
    assert!(
        out.starts_with("waiting for sentinel +switch-master mymaster"),
        "{out}"
    );
    // Counted from cell 0's start, 0.1 s before it arrived (more on a loaded machine).
    assert!(
        out.contains(
            " s after the cell before started: sentinel +switch-master mymaster 127.0.0.1 16379"
        ),
        "{out}"
    );
    assert!(out.ends_with("after-the-switch\n"), "{out}");

    // Nothing new since cell 1 started: cell 2 times out without running its code.
    let started = std::time::Instant::now();
    h.run(2);
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(
        outcome_of(&ev, 2),
        Outcome::TimedOut {
            after: Duration::from_secs(1)
        }
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let out = output_of(&ev, 2);
    assert!(
        out.contains("not seen within 1s: sentinel +switch-master mymaster"),
        "{out}"
    );
    assert!(!out.contains("never"), "{out}");
    h.shutdown().await;
}

/// A cell bash cannot parse reads as it would under `bash -c` (with `eval` for `-c`): the
/// user's own line and line number, nothing of the script that runs it.
#[tokio::test]
async fn a_syntax_error_names_the_cells_line_and_nothing_of_ours() {
    let dir = tempfile::tempdir().unwrap();
    let codes = [
        "if then fi",
        "echo a $LINENO\nif then fi",
        "shopt -s extglob\necho @(x|y) $LINENO",
        "echo $LINENO\nno_such_command_kt",
        "",
        "# only a comment",
        // Stray braces run nothing that `bash -c` would not run.
        "echo a\n}; echo ran\necho b",
        "}; }; echo ran",
        "}\n{ :",
    ];
    let l = lesson(dir.path(), codes.iter().map(|c| (*c, plain())).collect());
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    for cell in 0..codes.len() {
        h.run(cell);
    }
    let ev = until_finished(&mut rx, codes.len()).await;
    for (cell, code) in codes.iter().enumerate() {
        let fresh = std::process::Command::new("bash")
            .args(["-c", "bash -c \"$1\" 2>&1", "bash", code])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let want = String::from_utf8_lossy(&fresh.stdout).replace("bash: -c: ", "bash: eval: ");
        let got = output_of(&ev, cell);
        assert_eq!(got, want, "cell {cell}: {code:?}");
        assert!(!got.contains("__kt"), "{got}");
    }
    h.shutdown().await;
}

/// A cell using a variable an earlier cell captures, after that cell failed: the note names
/// that cell, not "no earlier cell".
#[tokio::test]
async fn an_unset_variable_an_earlier_cell_sets_names_that_cell() {
    let dir = tempfile::tempdir().unwrap();
    let capture = CellAttrs {
        capture: Some("BRANCHES".into()),
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            ("echo main; exit 1", capture),
            ("test -n \"$BRANCHES\" && test -n \"$NEVER_SET\"", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.run(0);
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    let out = output_of(&ev, 1);
    assert!(out.contains("$BRANCHES is not set: cell `c0`"), "{out}");
    assert!(
        out.contains("$NEVER_SET is not set: no earlier cell"),
        "{out}"
    );
    h.shutdown().await;
}
