//! Reloading the lesson when its file changes (issue 18, item 12).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::exec::{ExecEvent, Outcome, Stream};

const V1: &str = "---\ntitle: T\n---\n## One\n\n```sh {id=a}\necho a\n```\n\n```sh {id=b}\necho b\n```\n\n```sh {id=job background=true}\nsleep 100\n```\n";

fn lesson(text: &str) -> Arc<crate::lesson::Lesson> {
    Arc::new(crate::lesson::parse(Path::new("/tmp/l/lesson.md"), text).expect("parses"))
}

fn ran(app: &mut App, cell: usize, out: &str) {
    app.update(Action::Exec(ExecEvent::Started { cell, attempt: 1 }));
    app.update(Action::Exec(ExecEvent::Output {
        cell,
        stream: Stream::Stdout,
        bytes: out.as_bytes().to_vec(),
    }));
    app.update(Action::Exec(ExecEvent::Finished {
        cell,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(5),
    }));
}

#[test]
fn cells_keep_their_runs_by_id_and_a_changed_one_loses_its_verdict() {
    let mut app = App::new(lesson(V1), false);
    ran(&mut app, 0, "a\n");
    ran(&mut app, 1, "b\n");
    app.focus = Some(1);
    // A new cell in front, b changed, the prose around them changed.
    let v2 = V1
        .replace(
            "## One\n",
            "## One\n\nNew prose.\n\n```sh {id=first}\necho first\n```\n",
        )
        .replace("echo b", "echo B");
    let effects = app.update(Action::LessonChanged(lesson(&v2)));
    assert!(
        matches!(effects.first(), Some(Effect::Reloaded(_))),
        "{effects:?}"
    );
    let ids: Vec<&str> = app.cells.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["first", "a", "b", "job"]);
    assert_eq!(app.runs[0].status, CellStatus::Idle);
    assert!(
        matches!(app.runs[1].status, CellStatus::Done { .. }),
        "a kept its verdict"
    );
    assert_eq!(app.runs[1].output.lines().collect::<Vec<_>>(), ["a"]);
    assert_eq!(app.runs[2].status, CellStatus::Idle, "b's code changed");
    assert!(app.runs[2].output.is_empty());
    assert_eq!(app.focus, Some(2), "the focus follows b");
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("1 command(s) changed") && notice.contains("1 new"),
        "{notice}"
    );
}

#[test]
fn a_reload_waits_for_the_running_command_and_for_a_moving_job() {
    let mut app = App::new(lesson(V1), false);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    let v2 = V1.replace("echo a", "echo A");
    assert!(app.update(Action::LessonChanged(lesson(&v2))).is_empty());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("when the running command ends")
    );
    // The cell ends: the waiting version goes in at once.
    let effects = app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(5),
    }));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Reloaded(_))),
        "{effects:?}"
    );
    assert!(app.lesson.cells()[0].code.contains("echo A"));

    // A live job whose cell would move to another index holds the reload back.
    app.update(Action::Exec(ExecEvent::JobStarted { cell: 2, pid: 77 }));
    let moved = v2.replace("## One\n", "## One\n\n```sh {id=z}\necho z\n```\n");
    assert!(app.update(Action::LessonChanged(lesson(&moved))).is_empty());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("background job of `job`"),
        "{:?}",
        app.notice
    );
    assert_eq!(app.cells.len(), 3);
    app.update(Action::Exec(ExecEvent::JobExited {
        cell: 2,
        code: Some(0),
    }));
    assert_eq!(app.cells.len(), 4, "applied once the job ended");
}

#[test]
fn front_matter_changes_ask_for_a_restart() {
    let mut app = App::new(lesson(V1), false);
    let v2 = V1
        .replace("title: T", "title: T2")
        .replace("echo a", "echo A");
    assert!(app.update(Action::LessonChanged(lesson(&v2))).is_empty());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("restart kubetutor")
    );
    assert!(
        app.lesson.cells()[0].code.contains("echo a"),
        "nothing reloaded"
    );
    app.update(Action::LessonBroken("lesson.md:3:1: error: bad".into()));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("Not reloaded, the file has an error: lesson.md:3"),
        "{:?}",
        app.notice
    );
}
