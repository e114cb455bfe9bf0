//! Unit tests of `App::update` and the keymap.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::exec::{ExecEvent, Outcome, Stream};
use crate::lesson::mentions_cluster;
use crate::tui::keymap::{map_key, map_mouse};

const LESSON: &str = r#"---
title: T
---
Intro.

## One

```sh {id=a}
echo a
```

```sh {id=k}
kubectl get pods
```

## Two

```sh {id=b}
sleep 1
```

```yaml
shown: only
```

```sh {id=c run=false}
echo shown
```
"#;

pub(super) fn app(present: bool) -> App {
    let lesson = crate::lesson::parse(Path::new("/tmp/l/lesson.md"), LESSON).expect("parses");
    let mut app = App::new(Arc::new(lesson), present);
    app.geometry = Geometry {
        viewport: (0, 0, 80, 10),
        total_lines: 100,
        step_lines: vec![5, 40],
        cell_lines: vec![(10, 15), (16, 20), (45, 50), (52, 56)],
        matches: Vec::new(),
    };
    app
}

pub(super) fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub(super) fn finished(cell: usize, outcome: Outcome) -> Action {
    Action::Exec(ExecEvent::Finished {
        cell,
        outcome,
        duration: Duration::from_millis(5),
    })
}

#[test]
fn enter_runs_the_focused_cell() {
    let mut app = app(false);
    assert_eq!(app.focus, Some(0));
    assert_eq!(app.update(Action::RunFocused), vec![Effect::run(vec![0])]);
    assert_eq!(app.runs[0].status, CellStatus::Queued);
    assert!(app.animating());
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    let bytes = b"a\n".to_vec();
    app.update(Action::Exec(ExecEvent::Output {
        cell: 0,
        stream: Stream::Stdout,
        bytes,
    }));
    assert_eq!(
        app.update(finished(0, Outcome::Passed)),
        vec![Effect::SaveProgress]
    );
    assert!(!app.animating());
    assert_eq!(app.runs[0].output.lines().collect::<Vec<_>>(), vec!["a"]);
    assert_eq!(app.last_result, Some((0, Outcome::Passed)));
}

#[test]
fn cluster_commands_need_confirmation_first() {
    let mut app = app(false);
    app.update(Action::NextCell);
    assert_eq!(
        app.update(Action::RunFocused),
        vec![Effect::PrepareCluster(vec![1])]
    );
    let target = ClusterTarget {
        context: "kind".into(),
        cluster_url: "https://127.0.0.1:6443".into(),
        namespace: "demo".into(),
        ..Default::default()
    };
    app.update(Action::ClusterReady {
        result: Ok(target.clone()),
        pending: vec![1],
    });
    assert!(matches!(app.overlay, Some(Overlay::ConfirmCluster { .. })));
    // Keys other than y/n do not run anything while the dialog is up.
    assert_eq!(app.update(Action::RunFocused), Vec::new());
    assert_eq!(
        app.update(Action::Confirm),
        vec![Effect::ConfirmCluster {
            target: target.clone(),
            pending: vec![1]
        }]
    );
    // Nothing runs until the confirmed kubeconfig is in place.
    assert!(app.cluster.is_none());
    assert_eq!(
        app.update(Action::ClusterConfirmed {
            target: target.clone(),
            result: Ok(true),
            pending: vec![1]
        }),
        vec![Effect::run(vec![1])],
        "a lesson without panes starts no watcher"
    );
    assert_eq!(app.cluster, Some(target));
    assert_eq!(app.notice.as_deref(), Some("Created namespace demo."));
    // Confirmed once per session.
    app.update(finished(1, Outcome::Passed));
    assert_eq!(app.update(Action::RunFocused), vec![Effect::run(vec![1])]);
}

#[test]
fn refusing_the_cluster_runs_nothing() {
    let mut app = app(false);
    app.update(Action::NextCell);
    app.update(Action::RunFocused);
    let target = ClusterTarget::default();
    app.update(Action::ClusterReady {
        result: Ok(target),
        pending: vec![1],
    });
    assert_eq!(app.update(Action::Dismiss), Vec::new());
    assert!(app.cluster.is_none());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("not confirmed"))
    );
}

#[test]
fn an_unusable_cluster_explains_itself_in_the_cluster_panes() {
    let panes = "panes:\n  pods: {}\n  sentinel: { service: redis-sentinel }\n";
    let text = LESSON.replacen("title: T\n", &format!("title: T\n{panes}"), 1);
    let lesson = crate::lesson::parse(Path::new("/tmp/l/lesson.md"), &text).expect("parses");
    let mut app = App::new(Arc::new(lesson), false);
    assert!(app.pods_state.contains("once the cluster is confirmed"));
    assert!(app.sentinel_state.contains("waiting for service"));
    app.update(Action::ClusterReady {
        result: Err("no kubeconfig found (looked in: /nonexistent)".into()),
        pending: vec![1],
    });
    assert_eq!(
        app.pods_state,
        "pods: no kubeconfig found (looked in: /nonexistent)"
    );
    assert!(app.sentinel_state.starts_with("sentinel: no kubeconfig"));
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("no kubeconfig"))
    );
}

#[test]
fn run_step_queues_runnable_cells_of_the_current_step() {
    let mut app = app(false);
    app.update(Action::NextStep);
    assert_eq!(app.step, 1);
    assert_eq!(app.focus, Some(2));
    assert_eq!(app.update(Action::RunStep), vec![Effect::run(vec![2])]);
}

#[test]
fn ctrl_c_cancels_and_never_quits() {
    let mut app = app(false);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(map_key(ctrl_c, None), Some(Action::Cancel));
    assert_eq!(app.update(Action::Cancel), Vec::new());
    assert!(!app.quit);
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    assert_eq!(app.update(Action::Cancel), vec![Effect::Cancel]);
    assert!(!app.quit);
}

#[test]
fn quit_asks_while_something_runs() {
    let mut app = app(false);
    app.update(Action::RunFocused);
    assert_eq!(app.update(Action::Quit), Vec::new());
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(app.update(Action::Dismiss), Vec::new());
    assert!(!app.quit);
    app.update(Action::Quit);
    assert_eq!(
        app.update(Action::Confirm),
        vec![Effect::Cancel, Effect::SaveProgress, Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn quit_is_immediate_when_idle() {
    let mut app = app(false);
    assert_eq!(
        app.update(Action::Quit),
        vec![Effect::SaveProgress, Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn shown_only_cells_are_not_run() {
    let mut app = app(false);
    app.update(Action::Bottom);
    app.focus = Some(3);
    assert_eq!(app.update(Action::RunFocused), Vec::new());
    assert!(app.notice.is_some());
}

#[test]
fn scrolling_is_clamped_to_the_document() {
    let mut app = app(false);
    app.update(Action::ScrollUp(5));
    assert_eq!(app.scroll, 0);
    app.update(Action::PageDown);
    assert_eq!(app.scroll, 8);
    app.update(Action::ScrollDown(1000));
    assert_eq!(app.scroll, 90);
}

#[test]
fn click_focuses_the_cell_under_the_mouse() {
    let mut app = app(false);
    app.scroll = 40;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 3,
        row: 6,
        modifiers: KeyModifiers::NONE,
    };
    let action = map_mouse(click).expect("click maps");
    app.update(action);
    assert_eq!(app.focus, Some(2));
    assert_eq!(app.step, 1);
}

#[test]
fn resize_keeps_the_focused_cell_in_view() {
    let mut app = app(false);
    app.focus = Some(2);
    app.update(Action::Resized);
    assert_eq!(app.reveal, Some(Reveal::Cell(2)));
}

#[test]
fn instructor_mode_types_before_running() {
    let mut app = app(true);
    assert_eq!(app.update(Action::RunFocused), Vec::new());
    assert!(app.typing.is_some());
    assert!(app.animating());
    let mut effects = Vec::new();
    for _ in 0..10 {
        effects = app.update(Action::Tick);
        if !effects.is_empty() {
            break;
        }
    }
    assert_eq!(effects, vec![Effect::run(vec![0])]);
    assert!(app.typing.is_none());
}

#[test]
fn output_scroll_is_bounded() {
    let mut app = app(false);
    let bytes = (0..30)
        .map(|i| format!("{i}\n"))
        .collect::<String>()
        .into_bytes();
    app.update(Action::Exec(ExecEvent::Output {
        cell: 0,
        stream: Stream::Stdout,
        bytes,
    }));
    app.update(Action::OutputScroll(100));
    assert_eq!(app.runs[0].scroll, 30 - FOLD_LINES);
    app.update(Action::OutputScroll(-1000));
    assert_eq!(app.runs[0].scroll, 0);
}

#[test]
fn progress_round_trips_through_the_app() {
    let mut app = app(false);
    app.update(Action::RunFocused);
    app.update(finished(
        0,
        Outcome::Failed {
            code: Some(1),
            signal: None,
        },
    ));
    app.update(Action::NextStep);
    let saved = app.progress();
    assert_eq!(saved.step, 1);
    assert_eq!(saved.cells.get("a"), Some(&false));
    let mut fresh = self::app(false);
    fresh.restore(&saved);
    assert_eq!(fresh.step, 1);
    assert_eq!(fresh.runs[0].status, CellStatus::Earlier { passed: false });
}

/// Issue 18, item 6: outputs of earlier runs come back after a restart (bounded per cell and
/// in all), through the output sanitiser, and only beside a verdict.
#[test]
fn outputs_of_earlier_runs_survive_a_restart_bounded() {
    let output = |cell: usize, bytes: &[u8]| {
        Action::Exec(ExecEvent::Output {
            cell,
            stream: Stream::Stdout,
            bytes: bytes.to_vec(),
        })
    };
    let mut app = app(false);
    app.update(Action::RunFocused);
    app.update(output(0, b"\x1b[32mgreen\x1b[0m line\nsecond\n"));
    app.update(finished(0, Outcome::Passed));
    // A chatty cell: only its newest 16 KB are kept.
    let b = app.cells.iter().position(|c| c.id == "b").expect("b");
    let chatty: String = (0..5000).map(|i| format!("line {i}\n")).collect();
    app.update(output(b, chatty.as_bytes()));
    app.update(finished(b, Outcome::Passed));
    let saved = app.progress();
    assert_eq!(
        saved.outputs.get("a").map(String::as_str),
        Some("\x1b[0;32mgreen\x1b[0m line\nsecond\n")
    );
    let kept = &saved.outputs["b"];
    assert!(
        kept.len() <= super::progress::OUTPUT_BYTES,
        "{}",
        kept.len()
    );
    assert!(kept.ends_with("line 4999\n"));

    let mut fresh = self::app(false);
    let mut tampered = saved.clone();
    tampered
        .outputs
        .insert("a".into(), "clear\x1b[2Jed\n".into());
    // No verdict, no output: "k" never ran.
    tampered.outputs.insert("k".into(), "orphan\n".into());
    fresh.restore(&tampered);
    assert_eq!(
        fresh.runs[0].output.lines().collect::<Vec<_>>(),
        ["cleared"]
    );
    assert!(fresh.runs[1].output.is_empty());
    assert_eq!(fresh.runs[b].output.lines().last(), Some("line 4999"));
    // Saved again unchanged: the restored output is the cell's output until it runs again.
    assert_eq!(fresh.progress().outputs.get("b"), saved.outputs.get("b"));
}

#[test]
fn all_outputs_together_stay_within_their_budget() {
    let cells: String = (0..100)
        .map(|i| format!("```sh {{id=c{i}}}\nyes | head -c 20000\n```\n\n"))
        .collect();
    let text = format!("---\ntitle: T\n---\n## One\n\n{cells}");
    let lesson = crate::lesson::parse(Path::new("/tmp/l/lesson.md"), &text).expect("parses");
    let mut app = App::new(Arc::new(lesson), false);
    let noisy = "y\n".repeat(10_000);
    for cell in 0..100 {
        app.update(Action::Exec(ExecEvent::Output {
            cell,
            stream: Stream::Stdout,
            bytes: noisy.as_bytes().to_vec(),
        }));
        app.update(finished(cell, Outcome::Passed));
    }
    let saved = app.progress();
    let total: usize = saved.outputs.values().map(String::len).sum();
    assert!(total <= super::progress::OUTPUTS_BYTES, "{total}");
    assert!(
        saved.outputs.len() >= 60,
        "{} cells kept",
        saved.outputs.len()
    );
    assert!(saved.outputs.contains_key("c0"), "earlier cells first");
}

/// The jobs pane's roles: sentinel updates ask for the ports of live jobs not yet seen
/// listening, at most once a second; an answer for a pid that is no longer the cell's job
/// (the cell was restarted) is dropped.
#[test]
fn live_jobs_ports_are_asked_for_on_sentinel_updates_at_most_once_a_second() {
    use crate::sentinel::{LinkState, SentinelUpdate};
    let mut app = app(false);
    app.update(Action::Exec(ExecEvent::JobStarted { cell: 2, pid: 4242 }));
    let link = || {
        Action::Sentinel(SentinelUpdate::Link {
            endpoint: "127.0.0.1:26379".into(),
            state: LinkState::Connected,
        })
    };
    assert_eq!(
        app.update(link()),
        vec![Effect::ProbeJobPorts(vec![(2, 4242)])]
    );
    assert_eq!(
        app.update(link()),
        Vec::new(),
        "asked less than a second ago"
    );
    app.update(Action::JobPorts(vec![(2, 9999, vec![1])]));
    assert!(
        app.runs[2].job.as_ref().unwrap().ports.is_empty(),
        "another pid"
    );
    app.update(Action::JobPorts(vec![(2, 4242, vec![16379])]));
    assert_eq!(app.runs[2].job.as_ref().unwrap().ports, [16379]);
    app.now += Duration::from_secs(2);
    assert_eq!(
        app.update(link()),
        Vec::new(),
        "seen listening: not asked again"
    );
}

#[test]
fn keymap_covers_the_design_keys() {
    let cases = [
        (KeyCode::Char('j'), Action::ScrollDown(1)),
        (KeyCode::Up, Action::ScrollUp(1)),
        (KeyCode::PageDown, Action::PageDown),
        (KeyCode::Char('n'), Action::NextStep),
        (KeyCode::Tab, Action::NextStep),
        (KeyCode::Char('p'), Action::PrevStep),
        (KeyCode::Enter, Action::RunFocused),
        (KeyCode::Char('a'), Action::RunStep),
        (KeyCode::Char('c'), Action::Copy),
        (KeyCode::Char('e'), Action::Edit),
        (KeyCode::Char('?'), Action::ToggleHelp),
        (KeyCode::Char('q'), Action::Quit),
    ];
    for (code, action) in cases {
        assert_eq!(map_key(key(code), None), Some(action), "{code:?}");
    }
    // In a confirmation, y confirms and anything else dismisses.
    let overlay = Overlay::ConfirmQuit;
    assert_eq!(
        map_key(key(KeyCode::Char('y')), Some(&overlay)),
        Some(Action::Confirm)
    );
    assert_eq!(
        map_key(key(KeyCode::Char('j')), Some(&overlay)),
        Some(Action::Dismiss)
    );
}

#[test]
fn cluster_detection() {
    assert!(mentions_cluster("kubectl get pods"));
    assert!(mentions_cluster("x=1; helm install a b"));
    assert!(!mentions_cluster("echo kubectlish"));
    assert!(mentions_cluster("P=$(kubectl get pods -o name)"));
    assert!(mentions_cluster("/usr/local/bin/kubectl version"));
    assert!(!mentions_cluster("cat kubectl-notes.txt"));
    // One reading of the shell: words in quotes, comments and literal here-documents are text.
    assert!(!mentions_cluster("echo 'run kubectl later' # kubectl"));
    assert!(!mentions_cluster("cat <<'EOF'\nkubectl apply -f x\nEOF"));
    assert!(mentions_cluster("watch -n1 kubectl get pods"));
    assert!(mentions_cluster("echo \"$(kubectl get pods)\""));
    assert!(mentions_cluster("ls | xargs -n1 helm status"));
}

#[test]
fn replay_runs_the_earlier_steps_in_order_through_the_cluster_gate() {
    let mut app = app(false);
    assert_eq!(
        map_key(key(KeyCode::Char('R')), None),
        Some(Action::ReplayEarlier)
    );
    assert_eq!(app.update(Action::ReplayEarlier), Vec::new());
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("No earlier step")
    );
    app.update(Action::NextStep);
    // Step One holds `echo a` and a kubectl cell: the batch waits for the cluster confirmation.
    assert_eq!(
        app.update(Action::ReplayEarlier),
        vec![Effect::PrepareCluster(vec![0, 1])]
    );
}

#[test]
fn edits_survive_a_restart_through_saved_progress() {
    let mut app = app(false);
    app.update(Action::Edited {
        cell: 0,
        code: Some("echo mine".into()),
    });
    let saved = app.progress();
    assert_eq!(saved.edits.get("a").map(String::as_str), Some("echo mine"));
    let mut reopened = super::tests::app(false);
    reopened.restore(&saved);
    assert_eq!(reopened.runs[0].edited.as_deref(), Some("echo mine"));
    assert_eq!(reopened.runs[1].edited, None);
}

#[test]
fn a_verify_retry_shows_only_the_latest_attempt() {
    let mut app = app(false);
    let out = |bytes: &[u8]| {
        Action::Exec(ExecEvent::Output {
            cell: 0,
            stream: Stream::Stdout,
            bytes: bytes.to_vec(),
        })
    };
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    app.update(out(b"Connection refused\n"));
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 2,
    }));
    app.update(out(b"PONG\n"));
    assert_eq!(app.runs[0].output.lines().collect::<Vec<_>>(), vec!["PONG"]);
}

fn lesson_with_panes(panes: &str) -> App {
    let text = format!(
        "---\ntitle: Panes\nnamespace: demo\npanes:\n{panes}---\n# One\n\n```sh {{id=k}}\nkubectl get pods\n```\n"
    );
    let lesson = crate::lesson::parse(Path::new("/tmp/p/lesson.md"), &text).expect("parses");
    App::new(Arc::new(lesson), false)
}

#[test]
fn panes_get_their_views_from_update_and_the_runtime_only_starts_watchers() {
    let mut app = lesson_with_panes(
        "  pods: { selector: \"app=redis\" }\n  sentinel: { service: redis-sentinel, port: 26379, master: mymaster }\n",
    );
    // A sentinel behind a service waits for the cluster: nothing starts with the lesson.
    assert_eq!(app.update(Action::Started), Vec::new());
    assert!(app.sentinel.is_none() && app.pods.is_none());
    let target = ClusterTarget {
        context: "kind".into(),
        cluster_url: "https://127.0.0.1:6443".into(),
        namespace: "demo-alice".into(),
        ..Default::default()
    };
    let effects = app.update(Action::ClusterConfirmed {
        target,
        result: Ok(false),
        pending: vec![],
    });
    assert_eq!(
        effects,
        vec![Effect::StartClusterPanes {
            pods: true,
            sentinel: true
        }]
    );
    assert!(app.pods.is_some() && app.sentinel.is_some());
    assert_eq!(
        app.pods_scope, "demo-alice · app=redis",
        "the confirmed namespace"
    );

    let mut local =
        lesson_with_panes("  sentinel: { address: \"127.0.0.1:26479\", master: mymaster }\n");
    assert_eq!(
        local.update(Action::Started),
        vec![Effect::StartLocalSentinel]
    );
    assert!(local.sentinel.is_some());
    // A configuration error from the runtime replaces the view with a state line.
    local.update(Action::SentinelState("sentinel: bad".into()));
    assert!(local.sentinel.is_none());
    assert_eq!(local.sentinel_state, "sentinel: bad");
}

#[test]
fn restored_progress_arrives_as_an_action() {
    let app = app(false);
    let progress = app.progress();
    let mut fresh = self::app(false);
    fresh.update(Action::ProgressLoaded(super::progress::Loaded::Restored(
        progress,
    )));
    assert!(
        fresh
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Welcome back"))
    );
    fresh.update(Action::ProgressLoaded(super::progress::Loaded::Corrupt {
        moved_to: "/tmp/x.corrupt".into(),
        reason: "bad json".into(),
    }));
    assert_eq!(
        fresh.notice.as_deref(),
        Some("Saved progress was unreadable; moved to /tmp/x.corrupt.")
    );
}

#[test]
fn s_stops_the_focused_background_job_and_says_so_when_none_runs() {
    let mut app = app(false);
    assert_eq!(app.update(Action::StopJob), Vec::new());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("No background job of `a`"))
    );
    app.update(Action::Exec(ExecEvent::JobStarted { cell: 0, pid: 4242 }));
    assert_eq!(app.update(Action::StopJob), vec![Effect::StopJob(0)]);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Stopping"))
    );
    app.update(Action::Exec(ExecEvent::JobExited {
        cell: 0,
        code: None,
    }));
    assert_eq!(app.update(Action::StopJob), Vec::new(), "it is gone");
}

#[test]
fn the_sentinel_pane_says_which_step_starts_its_sentinel() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/redis-sentinel-local/lesson.md");
    let lesson = crate::lesson::load(&path.display().to_string(), None).expect("bundled lesson");
    let app = App::new(Arc::new(lesson), false);
    assert_eq!(
        app.sentinel_origin("127.0.0.1:26479").as_deref(),
        Some("started in step 3")
    );
    assert_eq!(app.sentinel_origin("127.0.0.1:65001"), None);
}

#[test]
fn a_job_start_wakes_the_sentinel_pane() {
    let mut app = app(false);
    let started = Action::Exec(ExecEvent::JobStarted { cell: 0, pid: 1 });
    assert_eq!(app.update(started.clone()), Vec::new(), "no pane, no wake");
    app.sentinel = Some(crate::sentinel::SentinelView::new("m", app.wall));
    assert_eq!(app.update(started), vec![Effect::WakeSentinel]);
}

#[test]
fn retries_of_a_sentinel_not_started_yet_cost_no_frame() {
    use crate::sentinel::{LinkState, SentinelUpdate, SentinelView};
    let mut app = app(false);
    app.sentinel = Some(SentinelView::new("mymaster", app.wall));
    let link = |state| {
        Action::Sentinel(SentinelUpdate::Link {
            endpoint: "127.0.0.1:26479".into(),
            state,
        })
    };
    app.update(link(LinkState::Connecting { attempt: 1 }));
    app.dirty = false;
    for attempt in 1..=3 {
        app.update(link(LinkState::Unreachable {
            attempt,
            backoff: Duration::from_secs(2),
            error: "connection refused".into(),
        }));
        app.update(link(LinkState::Connecting {
            attempt: attempt + 1,
        }));
    }
    assert!(!app.dirty, "the pane still says it waits: nothing to draw");
    app.update(link(LinkState::Connected));
    assert!(app.dirty, "connected: the pane changes");
}

#[test]
fn reveal_cell_end_brings_a_tall_cells_last_line_on_screen() {
    let g = Geometry {
        viewport: (0, 0, 80, 10),
        total_lines: 100,
        step_lines: vec![0],
        cell_lines: vec![(20, 45), (50, 54)],
        matches: Vec::new(),
    };
    assert_eq!(
        g.reveal(0, Reveal::CellEnd(0)),
        35,
        "below: its end at the bottom"
    );
    assert_eq!(
        g.reveal(60, Reveal::CellEnd(0)),
        35,
        "above and tall: its end"
    );
    assert_eq!(
        g.reveal(60, Reveal::CellEnd(1)),
        50,
        "above and short: all of it"
    );
    assert_eq!(g.reveal(46, Reveal::CellEnd(1)), 46, "already on screen");
    assert_eq!(
        g.reveal(0, Reveal::Cell(0)),
        20,
        "Cell shows a tall cell's start"
    );
}

#[test]
fn hand_scrolling_stops_following_and_the_next_run_resumes() {
    let mut app = app(false);
    assert!(app.follow);
    app.update(Action::ScrollDown(1));
    assert!(!app.follow);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    assert_eq!(app.reveal, None, "not following: the view stays");
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(10),
    }));
    assert_eq!(app.reveal, None, "nor when it finishes");
    app.update(Action::RunFocused);
    assert!(app.follow);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    assert_eq!(app.reveal, Some(Reveal::CellEnd(0)));
}

#[test]
fn replay_after_a_restart_includes_the_last_completed_step_and_says_when_done() {
    let mut app = app(false);
    // The learner ran step One's commands and quit while still on it.
    app.update(finished(0, Outcome::Passed));
    app.update(finished(1, Outcome::Passed));
    let saved = app.progress();
    let mut fresh = self::app(false);
    fresh.restore(&saved);
    assert_eq!(fresh.step, 0);
    assert_eq!(
        fresh.update(Action::ReplayEarlier),
        vec![Effect::PrepareCluster(vec![0, 1])],
        "the step the learner completed is replayed too"
    );
    assert!(fresh.notice.as_deref().unwrap_or("").contains("steps 1-1"));
    fresh.update(finished(0, Outcome::Passed));
    assert!(
        !fresh
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("Replay done"),
        "k is still to run"
    );
    fresh.update(finished(1, Outcome::Passed));
    assert_eq!(
        fresh.notice.as_deref(),
        Some("Replay done: 2 of 2 commands of steps 1-1 passed.")
    );
}

#[test]
fn a_capture_cell_says_where_its_output_went() {
    let text = "---\ntitle: C\n---\n## One\n\n```sh {id=port capture=PORT}\necho 6380\n```\n";
    let lesson = crate::lesson::parse(Path::new("/tmp/c/lesson.md"), text).expect("parses");
    let mut app = App::new(Arc::new(lesson), false);
    let finished = |outcome| {
        Action::Exec(ExecEvent::Finished {
            cell: 0,
            outcome,
            duration: std::time::Duration::from_millis(5),
        })
    };
    app.update(finished(Outcome::Failed {
        code: Some(1),
        signal: None,
    }));
    assert_eq!(app.notice, None, "a failed capture saved nothing");
    app.update(finished(Outcome::Passed));
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("port: output saved as $PORT · ✓ Lesson complete: 1/1 steps done"),
        "the last cell's capture note stays in front of the summary: {notice}"
    );
}
