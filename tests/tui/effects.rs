//! The effects block under a cell (issue 19): folded line, expanded list, watching vs done.

use std::time::{Duration, SystemTime};

use kubetutor::app::pods_view::PodsView;
use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome};
use kubetutor::kube::model::{PodRow, PodsUpdate};
use kubetutor::sentinel::{SentinelEvent, SentinelUpdate};

use super::render::{draw_plain, open_plain};

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000) + Duration::from_millis(ms)
}

fn step(app: &mut App, ms: u64, action: Action) {
    app.wall = at(ms);
    app.update(action);
}

fn pod(name: &str) -> PodRow {
    PodRow {
        name: name.into(),
        ready: 1,
        total: 1,
        status: "Running".into(),
        restarts: 0,
        last_restart: None,
        created: None,
        ip: Some("10.244.0.5".into()),
    }
}

fn sentinel(ms: u64, name: &str, payload: &str) -> Action {
    Action::Sentinel(SentinelUpdate::Event {
        endpoint: "127.0.0.1:26479".into(),
        at: at(ms),
        event: SentinelEvent::new(name, payload),
    })
}

/// A cell that deleted the master: the pod goes, the sentinels fail over.
fn failover() -> (App, kubetutor::tui::lesson_view::LessonView) {
    let (mut app, view) = open_plain("basic.md");
    app.pods = Some(PodsView::new());
    step(
        &mut app,
        0,
        Action::Pods(PodsUpdate::Listed(vec![pod("redis-master")])),
    );
    step(&mut app, 1_000, Action::RunFocused);
    step(
        &mut app,
        1_000,
        Action::Exec(ExecEvent::Started {
            cell: 0,
            attempt: 1,
        }),
    );
    step(
        &mut app,
        1_100,
        Action::Pods(PodsUpdate::Deleted("redis-master".into())),
    );
    let finished = ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(200),
    };
    step(&mut app, 1_200, Action::Exec(finished));
    let master = "master mymaster 10.244.0.5 6379";
    step(&mut app, 2_100, sentinel(2_100, "+sdown", master));
    step(&mut app, 2_400, sentinel(2_400, "+odown", master));
    let switch = "mymaster 10.244.0.5 6379 10.244.0.7 6379";
    step(&mut app, 3_300, sentinel(3_300, "+switch-master", switch));
    (app, view)
}

#[test]
fn a_cells_effects_are_one_grouped_line_under_it_while_watching() {
    let (mut app, mut view) = failover();
    let terminal = draw_plain(&mut app, &mut view, 110, 30);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn expanded_the_block_lists_every_effect_and_after_the_window_it_is_done() {
    let (mut app, mut view) = failover();
    step(&mut app, 40_000, Action::ToggleExpand);
    let terminal = draw_plain(&mut app, &mut view, 110, 30);
    insta::assert_snapshot!(terminal.backend());
}
