use std::time::{Duration, SystemTime};

use super::*;

fn t(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000) + Duration::from_millis(ms)
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

fn deleted(name: &str, ms: u64) -> Observed {
    Observed::pod_deleted(name, t(ms))
}

fn event(reason: &str, object: &str, ms: u64) -> Observed {
    let kind = ObservedKind::KubeEvent {
        reason: reason.into(),
        message: format!("{reason} happened"),
    };
    Observed::new(t(ms), object, kind)
}

fn sentinel(name: &str, payload: &str, ms: u64) -> Observed {
    Observed::sentinel(&SentinelEvent::new(name, payload), t(ms))
}

#[test]
fn effects_during_the_run_and_the_settling_window_belong_to_the_cell_with_offsets() {
    let mut a = Attribution::new();
    a.cell_started(3, t(1_000));
    a.observe(deleted("redis-master", 1_100), 0);
    a.cell_finished(3, t(1_200));
    a.observe(event("Scheduled", "pod/redis-7xk2p", 1_300), 0);
    a.observe(event("Pulled", "pod/redis-7xk2p", 2_000), 0);
    a.observe(event("Started", "pod/redis-7xk2p", 2_400), 0);
    let fx = a.cell(3).unwrap();
    assert_eq!(fx.len(), 4);
    assert_eq!(fx.list[0].offset, Duration::from_millis(100));
    assert_eq!(
        fx.summary(),
        "pod redis-master deleted (+0.1 s) · Scheduled, Pulled, Started (+0.3-1.4 s)"
    );
    assert!(a.step(0).is_none());
}

#[test]
fn the_settling_window_ends_when_the_next_cell_starts() {
    let mut a = Attribution::new();
    a.cell_started(0, t(0));
    a.cell_finished(0, t(100));
    a.observe(event("Scheduled", "pod/a", 500), 0);
    a.cell_started(1, t(1_000));
    a.observe(event("Started", "pod/b", 1_500), 0);
    assert_eq!(a.cell(0).unwrap().summary(), "Scheduled (+0.5 s)");
    assert!(!a.cell(0).unwrap().watching(t(1_500)));
    assert_eq!(a.cell(1).unwrap().summary(), "Started (+0.5 s)");
}

#[test]
fn the_settling_window_is_capped_and_later_effects_go_to_the_step() {
    let mut a = Attribution::new();
    a.cell_started(0, t(0));
    a.cell_finished(0, t(1_000));
    assert_eq!(a.settles_at(), Some(t(31_000)));
    assert!(a.cell(0).unwrap().watching(t(30_999)));
    a.observe(event("Killing", "pod/a", 31_000), 2);
    assert!(a.cell(0).unwrap().is_empty());
    assert!(!a.cell(0).unwrap().watching(t(31_000)));
    let step = a.step(2).unwrap();
    assert_eq!(step.list[0].offset, Duration::ZERO);
    assert_eq!(step.summary(), "Killing (+0.0 s)");
}

#[test]
fn effects_with_no_cell_ever_started_go_to_the_step() {
    let mut a = Attribution::new();
    a.observe(deleted("x", 0), 1);
    a.observe(deleted("y", 700), 1);
    assert_eq!(
        a.step(1).unwrap().summary(),
        "pod x, y deleted (+0.0-0.7 s)"
    );
    assert_eq!(a.settles_at(), None);
}

#[test]
fn an_object_that_was_changing_before_the_cell_is_continuing() {
    let mut a = Attribution::new();
    a.cell_started(0, t(0));
    a.observe(event("Killing", "pod/old", 100), 0);
    a.cell_finished(0, t(200));
    a.cell_started(1, t(2_000));
    a.observe(deleted("old", 2_500), 0);
    a.observe(deleted("fresh", 2_600), 0);
    let fx = a.cell(1).unwrap();
    assert!(fx.list[0].continuing);
    assert!(!fx.list[1].continuing);
    assert_eq!(
        fx.summary(),
        "pod old deleted (continuing, +0.5 s) · pod fresh deleted (+0.6 s)"
    );
}

#[test]
fn a_change_long_before_the_cell_is_not_continuing() {
    let mut a = Attribution::new();
    a.observe(event("Killing", "pod/old", 0), 0);
    a.cell_started(0, t(40_000));
    a.observe(deleted("old", 40_100), 0);
    assert!(!a.cell(0).unwrap().list[0].continuing);
}

#[test]
fn an_object_that_had_settled_before_the_cell_is_not_continuing() {
    let mut a = Attribution::new();
    a.observe(
        sentinel(
            "+slave",
            "slave 127.0.0.1:16380 127.0.0.1 16380 @ mymaster 127.0.0.1 16379",
            0,
        ),
        0,
    );
    a.observe(event("Scheduled", "pod/web", 0), 0);
    a.observe(event("Started", "pod/web", 100), 0);
    a.cell_started(0, t(1_000));
    a.observe(
        sentinel(
            "+selected-slave",
            "slave 127.0.0.1:16380 127.0.0.1 16380 @ mymaster 127.0.0.1 16379",
            1_500,
        ),
        0,
    );
    a.observe(event("Killing", "pod/web", 1_600), 0);
    let fx = a.cell(0).unwrap();
    assert!(fx.list.iter().all(|e| !e.continuing), "{:?}", fx.list);
}

#[test]
fn a_controller_replacing_a_pod_a_later_cell_deleted_is_not_continuing() {
    let mut a = Attribution::new();
    a.cell_started(0, t(0));
    a.observe(
        event("SuccessfulCreate", "replicationcontroller/redis", 100),
        0,
    );
    a.observe(
        event("SuccessfulCreate", "replicationcontroller/redis", 150),
        0,
    );
    a.cell_finished(0, t(200));
    a.cell_started(1, t(5_000));
    a.observe(deleted("redis-abc", 5_200), 0);
    a.observe(
        event("SuccessfulCreate", "replicationcontroller/redis", 5_300),
        0,
    );
    let fx = a.cell(1).unwrap();
    assert!(fx.list.iter().all(|e| !e.continuing), "{:?}", fx.list);
    assert!(!a.cell(0).unwrap().list[1].continuing);
}

#[test]
fn sentinel_events_group_by_name_and_the_switch_names_the_new_master() {
    let mut a = Attribution::new();
    a.cell_started(4, t(0));
    a.cell_finished(4, t(50));
    a.observe(
        sentinel("+sdown", "master mymaster 127.0.0.1 6380", 1_100),
        0,
    );
    a.observe(
        sentinel("+sdown", "master mymaster 127.0.0.1 6380", 1_150),
        0,
    );
    a.observe(
        sentinel(
            "+odown",
            "master mymaster 127.0.0.1 6380 #quorum 2/2",
            1_200,
        ),
        0,
    );
    a.observe(sentinel("+vote-for-leader", "abc 1", 1_800), 0);
    a.observe(sentinel("+vote-for-leader", "def 1", 1_850), 0);
    a.observe(
        sentinel(
            "+switch-master",
            "mymaster 127.0.0.1 6380 127.0.0.1 6381",
            2_300,
        ),
        0,
    );
    assert_eq!(
        a.cell(4).unwrap().summary(),
        "sentinels: +sdown +odown +switch-master 127.0.0.1 +1 more (+1.1-2.3 s)"
    );
}

#[test]
fn pod_rows_become_added_and_changed_effects_and_noise_is_dropped() {
    let pending = row("web", "Pending", 0);
    let running = row("web", "Running", 1);
    let added = Observed::pod(None, &pending, t(0)).unwrap();
    assert_eq!(added.kind, ObservedKind::PodAdded);
    assert_eq!(added.object, "pod/web");
    let changed = Observed::pod(Some(&pending), &running, t(1)).unwrap();
    assert_eq!(changed.describe(), "pod/web Pending 0/1 -> Running 1/1");
    let mut with_ip = running.clone();
    with_ip.ip = Some("10.0.0.1".into());
    assert_eq!(Observed::pod(Some(&running), &with_ip, t(2)), None);
}

#[test]
fn a_burst_is_bounded_the_list_stops_and_the_groups_keep_counting() {
    let mut a = Attribution::new();
    a.cell_started(0, t(0));
    for i in 0..1_000 {
        a.observe(event(&format!("R{i}"), &format!("pod/p{i}"), i), 0);
    }
    let fx = a.cell(0).unwrap();
    assert_eq!(fx.list.len(), Attribution::MAX_LISTED);
    assert_eq!(fx.len(), 1_000);
    assert_eq!(fx.groups.len(), 1);
    assert_eq!(fx.groups[0].count, 1_000);
    assert_eq!(fx.groups[0].items.len(), 6);
    assert_eq!(fx.groups[0].hidden.len(), 64);
    assert_eq!(
        fx.summary(),
        "R0, R1, R2, R3, R4, R5, +64 more (+0.0-1.0 s)"
    );
}

#[test]
fn pod_diff_ignores_the_list_and_reports_what_changed_after_it() {
    use crate::kube::model::PodsUpdate;
    let mut diff = pods::PodDiff::default();
    assert_eq!(
        diff.fold(PodsUpdate::Listed(vec![row("a", "Running", 1)]), t(0)),
        None
    );
    let gone = diff.fold(PodsUpdate::Deleted("a".into()), t(1)).unwrap();
    assert_eq!(gone.describe(), "pod/a deleted");
    let new = diff
        .fold(PodsUpdate::Applied(row("b", "Pending", 1)), t(2))
        .unwrap();
    assert_eq!(new.kind, ObservedKind::PodAdded);
    let up = diff
        .fold(PodsUpdate::Applied(row("b", "Running", 1)), t(3))
        .unwrap();
    assert_eq!(up.describe(), "pod/b Pending 1/1 -> Running 1/1");
    assert_eq!(diff.fold(PodsUpdate::Deleted("zzz".into()), t(4)), None);
}
