//! Running a cell with the learner's edited code instead of the lesson's.

use std::time::Duration;

use crate::exec::engine_tests::{lesson, outcome_of, output_of, plain, until_finished};
use crate::exec::{Engine, EngineOptions, ExecEvent, Outcome};
use crate::lesson::CellAttrs;

#[tokio::test]
async fn edited_code_runs_in_the_same_session() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![
            ("echo lesson; export A=lesson", plain()),
            ("echo A=$A", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue(
        vec![(0, Some("echo edited; export A=edited".into()))],
        false,
    );
    h.run(1);
    let ev = until_finished(&mut rx, 2).await;
    assert_eq!(
        ev[0],
        ExecEvent::Started {
            cell: 0,
            attempt: 1
        }
    );
    assert_eq!(output_of(&ev, 0), "edited\n");
    assert_eq!(outcome_of(&ev, 0), Outcome::Passed);
    // The edit's export is session state: the next (unedited) cell sees it.
    assert_eq!(output_of(&ev, 1), "A=edited\n");
    // The edit was for one run only: running the cell again runs the lesson's code.
    h.run(0);
    let ev = until_finished(&mut rx, 1).await;
    assert_eq!(output_of(&ev, 0), "lesson\n");
    h.shutdown().await;
}

#[tokio::test]
async fn edited_code_keeps_the_cells_attributes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let attrs = CellAttrs {
        cwd: Some("sub".into()),
        capture: Some("CAP".into()),
        timeout: Some(Duration::from_millis(500)),
        ..plain()
    };
    let l = lesson(
        dir.path(),
        vec![
            ("true", attrs.clone()),
            ("echo $CAP", plain()),
            ("true", attrs),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue(vec![(0, Some("basename \"$PWD\"".into()))], false);
    h.run(1);
    h.queue(vec![(2, Some("sleep 5".into()))], false);
    let ev = until_finished(&mut rx, 3).await;
    assert_eq!(output_of(&ev, 0), "sub\n");
    assert_eq!(
        output_of(&ev, 1),
        "sub\n",
        "capture= applies to edited code"
    );
    assert!(matches!(outcome_of(&ev, 2), Outcome::TimedOut { .. }));
    h.shutdown().await;
}

#[tokio::test]
async fn a_step_runs_its_edited_cells_and_skips_after_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let l = lesson(
        dir.path(),
        vec![
            ("echo one", plain()),
            ("echo two", plain()),
            ("echo three", plain()),
        ],
    );
    let (h, mut rx) = Engine::spawn(l, EngineOptions::default()).unwrap();
    h.queue(
        vec![(0, None), (1, Some("echo TWO; exit 3".into())), (2, None)],
        true,
    );
    let ev = until_finished(&mut rx, 3).await;
    assert_eq!(output_of(&ev, 0), "one\n");
    assert_eq!(output_of(&ev, 1), "TWO\n");
    assert!(matches!(outcome_of(&ev, 1), Outcome::Failed { .. }));
    assert!(matches!(outcome_of(&ev, 2), Outcome::Skipped { .. }));
    h.shutdown().await;
}
