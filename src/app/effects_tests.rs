//! `App::update` feeding the effects fold (issue 19): cell starts and ends, the pods watch
//! (its first list is no effect), the sentinel events and the Events watch.

use std::time::{Duration, SystemTime};

use super::pods_view::PodsView;
use super::tests::{app, finished};
use super::*;
use crate::effects::{Observed, ObservedKind};
use crate::exec::{ExecEvent, Outcome};
use crate::kube::model::{PodRow, PodsUpdate};
use crate::sentinel::{SentinelEvent, SentinelUpdate};

fn at(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000) + Duration::from_millis(ms)
}

fn step(app: &mut App, ms: u64, action: Action) {
    app.wall = at(ms);
    app.update(action);
}

fn started(cell: usize) -> Action {
    Action::Exec(ExecEvent::Started { cell, attempt: 1 })
}

fn row(name: &str, status: &str, ready: u32) -> PodRow {
    PodRow {
        name: name.into(),
        ready,
        total: 1,
        status: status.into(),
        restarts: 0,
        last_restart: None,
        created: None,
        ip: None,
    }
}

fn scheduled(ms: u64) -> Action {
    let kind = ObservedKind::KubeEvent {
        reason: "Scheduled".into(),
        message: "assigned".into(),
    };
    Action::Observed(Observed::new(at(ms), "pod/web", kind))
}

#[test]
fn a_cells_window_runs_until_the_next_cell_starts() {
    let mut app = app(false);
    app.pods = Some(PodsView::new());
    let listed = PodsUpdate::Listed(vec![row("old", "Running", 1)]);
    step(&mut app, 0, Action::Pods(listed));
    step(&mut app, 1_000, started(0));
    step(
        &mut app,
        1_100,
        Action::Pods(PodsUpdate::Deleted("old".into())),
    );
    step(&mut app, 1_200, finished(0, Outcome::Passed));
    step(&mut app, 1_500, scheduled(1_500));
    let web = PodsUpdate::Applied(row("web", "Pending", 0));
    step(&mut app, 1_600, Action::Pods(web));
    step(&mut app, 5_000, started(1));
    let event = SentinelEvent::new("+sdown", "master mymaster 127.0.0.1 16379");
    let sentinel = SentinelUpdate::Event {
        endpoint: "127.0.0.1:26479".into(),
        at: at(5_300),
        event,
    };
    step(&mut app, 5_300, Action::Sentinel(sentinel));
    let first = app.effects.cell(0).expect("cell 0 effects");
    assert_eq!(
        first.summary(),
        "pod old deleted (+0.1 s) · Scheduled (+0.5 s) · pod web added (+0.6 s)"
    );
    assert!(!first.watching(at(5_300)));
    let second = app.effects.cell(1).expect("cell 1 effects");
    assert_eq!(second.summary(), "sentinels: +sdown (+0.3 s)");
    assert!(second.watching(at(5_300)));
}

#[test]
fn the_first_pod_list_and_effects_with_no_cell_do_not_land_on_a_cell() {
    let mut app = app(false);
    app.pods = Some(PodsView::new());
    let listed = PodsUpdate::Listed(vec![row("a", "Running", 1)]);
    step(&mut app, 0, Action::Pods(listed));
    step(&mut app, 100, scheduled(100));
    assert!(app.effects.cell(0).is_none());
    let step0 = app.effects.step(0).expect("the step got it");
    assert_eq!(step0.summary(), "Scheduled (+0.0 s)");
    assert_eq!(step0.len(), 1, "the list itself is no effect");
}

#[test]
fn a_verify_retry_keeps_the_cells_window_and_its_offsets() {
    let mut app = app(false);
    step(&mut app, 0, started(0));
    step(&mut app, 400, scheduled(400));
    let retry = Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 2,
    });
    step(&mut app, 500, retry);
    step(&mut app, 900, scheduled(900));
    let fx = app.effects.cell(0).expect("cell 0");
    assert_eq!(fx.len(), 2);
    assert_eq!(fx.summary(), "Scheduled (+0.4-0.9 s)");
}
