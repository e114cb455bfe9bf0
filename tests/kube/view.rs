//! `PodsView` folding: highlights, lingering deletes, roles, deadlines.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kubetutor::app::pods_view::{Change, PodsView};
use kubetutor::kube::model::{Connection, PodRow, PodsUpdate};
use kubetutor::sentinel::Role;

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_637_400 + secs)
}

pub fn row(name: &str, status: &str, ip: Option<&str>) -> PodRow {
    PodRow {
        name: name.into(),
        ready: u32::from(status == "Running"),
        total: 1,
        status: status.into(),
        restarts: 0,
        last_restart: None,
        created: Some(t(0)),
        ip: ip.map(String::from),
    }
}

fn marks(view: &PodsView, now: SystemTime) -> Vec<(String, Option<Change>)> {
    view.entries()
        .map(|e| (e.row.name.clone(), e.change(now)))
        .collect()
}

fn listed(view: &mut PodsView) {
    let rows = vec![
        row("b", "Running", Some("10.0.0.2")),
        row("a", "Running", Some("10.0.0.1")),
    ];
    assert!(view.apply(PodsUpdate::Listed(rows), t(0)));
}

#[test]
fn starts_connecting_then_lists_sorted_without_highlights() {
    let mut view = PodsView::new();
    assert_eq!(view.connection(), &Connection::Connecting);
    assert!(!view.has_listed());
    listed(&mut view);
    assert!(view.has_listed());
    assert_eq!(marks(&view, t(0)), [("a".into(), None), ("b".into(), None)]);
    assert_eq!(view.next_deadline(), None, "nothing to redraw for");
}

#[test]
fn changes_highlight_for_a_while_and_identical_updates_are_ignored() {
    let mut view = PodsView::new();
    listed(&mut view);
    assert!(!view.apply(
        PodsUpdate::Applied(row("a", "Running", Some("10.0.0.1"))),
        t(1)
    ));
    assert!(view.apply(
        PodsUpdate::Applied(row("a", "Terminating", Some("10.0.0.1"))),
        t(1)
    ));
    assert!(view.apply(PodsUpdate::Applied(row("c", "Pending", None)), t(2)));
    assert_eq!(
        marks(&view, t(2)),
        [
            ("a".into(), Some(Change::Changed)),
            ("b".into(), None),
            ("c".into(), Some(Change::Added)),
        ]
    );
    // A change right after creation keeps the "added" mark: it is still the new pod.
    view.apply(
        PodsUpdate::Applied(row("c", "ContainerCreating", None)),
        t(3),
    );
    assert_eq!(
        view.entries().nth(2).and_then(|e| e.change(t(3))),
        Some(Change::Added)
    );
    assert_eq!(view.next_deadline(), Some(t(1) + PodsView::HIGHLIGHT));
    let later = t(2) + PodsView::HIGHLIGHT;
    assert!(view.expire(later));
    assert!(marks(&view, later).iter().all(|(_, m)| m.is_none()));
}

#[test]
fn deleted_pods_linger_marked_then_go() {
    let mut view = PodsView::new();
    listed(&mut view);
    assert!(view.apply(PodsUpdate::Deleted("a".into()), t(10)));
    assert!(
        !view.apply(PodsUpdate::Deleted("a".into()), t(11)),
        "already gone"
    );
    assert!(
        !view.apply(PodsUpdate::Deleted("zzz".into()), t(11)),
        "never seen"
    );
    assert_eq!((view.len(), view.deleted()), (2, 1));
    assert_eq!(marks(&view, t(15))[0], ("a".into(), Some(Change::Deleted)));
    assert_eq!(view.next_deadline(), Some(t(10) + PodsView::LINGER));
    assert!(view.expire(t(10) + PodsView::LINGER));
    assert_eq!(marks(&view, t(20)), [("b".into(), None)]);
    assert_eq!((view.len(), view.deleted()), (1, 0));
}

#[test]
fn a_pod_recreated_under_the_same_name_is_new_again() {
    let mut view = PodsView::new();
    listed(&mut view);
    view.apply(PodsUpdate::Deleted("a".into()), t(10));
    view.apply(PodsUpdate::Applied(row("a", "Pending", None)), t(12));
    assert_eq!(marks(&view, t(12))[0], ("a".into(), Some(Change::Added)));
    assert_eq!(view.deleted(), 0);
    // The old deletion deadline must not purge the new pod.
    view.expire(t(10) + PodsView::LINGER);
    assert_eq!((view.len(), view.deleted()), (2, 0));
}

#[test]
fn roles_join_by_ip_and_a_promotion_is_highlighted() {
    let mut view = PodsView::new();
    listed(&mut view);
    let roles = |m: &str, r: &str| {
        HashMap::from([
            (m.to_string(), Role::Master),
            (r.to_string(), Role::Replica),
        ])
    };
    assert!(view.set_roles(roles("10.0.0.1", "10.0.0.2"), t(1)));
    let get = |v: &PodsView, i: usize| v.entries().nth(i).and_then(|e| v.role(&e.row));
    assert_eq!(get(&view, 0), Some(Role::Master));
    assert_eq!(get(&view, 1), Some(Role::Replica));
    assert!(
        !view.set_roles(roles("10.0.0.1", "10.0.0.2"), t(20)),
        "same roles: no redraw"
    );
    assert!(view.set_roles(roles("10.0.0.2", "10.0.0.1"), t(20)));
    assert_eq!(get(&view, 1), Some(Role::Master));
    assert_eq!(
        marks(&view, t(20)),
        [
            ("a".into(), Some(Change::Changed)),
            ("b".into(), Some(Change::Changed))
        ]
    );
}

#[test]
fn a_relist_after_an_outage_diffs_against_what_was_shown() {
    let mut view = PodsView::new();
    listed(&mut view);
    view.apply(PodsUpdate::Connection(Connection::Relisting), t(5));
    let rows = vec![
        row("b", "Running", Some("10.0.0.2")),
        row("c", "Running", Some("10.0.0.3")),
    ];
    view.apply(PodsUpdate::Listed(rows), t(6));
    assert_eq!(view.connection(), &Connection::Live);
    assert_eq!(
        marks(&view, t(6)),
        [
            ("a".into(), Some(Change::Deleted)),
            ("b".into(), None),
            ("c".into(), Some(Change::Added)),
        ]
    );
}

#[test]
fn connection_updates_report_whether_they_changed_anything() {
    let mut view = PodsView::new();
    assert!(!view.apply(PodsUpdate::Connection(Connection::Connecting), t(0)));
    let err = Connection::Unreachable {
        attempt: 1,
        retry_in: Duration::from_secs(1),
        error: "x".into(),
    };
    assert!(view.apply(PodsUpdate::Connection(err.clone()), t(0)));
    assert!(!view.apply(PodsUpdate::Connection(err), t(0)));
}

mod properties {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Apply(u8, u8, u8),
        Delete(u8),
        Relist(Vec<(u8, u8, u8)>),
        Advance(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..12, 0u8..3, 0u8..6).prop_map(|(n, s, i)| Op::Apply(n, s, i)),
            2 => (0u8..12).prop_map(Op::Delete),
            1 => prop::collection::vec((0u8..12, 0u8..3, 0u8..6), 0..8).prop_map(Op::Relist),
            2 => (0u8..8).prop_map(Op::Advance),
        ]
    }

    fn make(n: u8, s: u8, i: u8) -> PodRow {
        let status = ["Pending", "Running", "Terminating"][usize::from(s)];
        row(&format!("pod-{n:02}"), status, Some(&format!("10.0.0.{i}")))
    }

    proptest! {
        /// Whatever the order of events, the view shows exactly the live pods (plus marked
        /// deleted ones that are still lingering), sorted, with a consistent deleted count;
        /// once every deadline passed, only the live pods remain and nothing is highlighted.
        #[test]
        fn the_view_tracks_the_live_set(ops in prop::collection::vec(op(), 1..60)) {
            let mut view = PodsView::new();
            view.apply(PodsUpdate::Listed(Vec::new()), t(0));
            let mut live: BTreeMap<String, PodRow> = BTreeMap::new();
            let mut clock = 0u64;
            for op in ops {
                match op {
                    Op::Apply(n, s, i) => {
                        let r = make(n, s, i);
                        live.insert(r.name.clone(), r.clone());
                        view.apply(PodsUpdate::Applied(r), t(clock));
                    }
                    Op::Delete(n) => {
                        let name = format!("pod-{n:02}");
                        live.remove(&name);
                        view.apply(PodsUpdate::Deleted(name), t(clock));
                    }
                    Op::Relist(rows) => {
                        live = rows.iter().map(|&(n, s, i)| { let r = make(n, s, i); (r.name.clone(), r) }).collect();
                        view.apply(PodsUpdate::Listed(live.values().cloned().collect()), t(clock));
                    }
                    Op::Advance(secs) => {
                        clock += u64::from(secs);
                        view.expire(t(clock));
                    }
                }
                let now = t(clock);
                let marked = view.entries().filter(|e| e.change(now) == Some(Change::Deleted)).count();
                prop_assert_eq!(view.deleted(), marked);
                prop_assert_eq!(view.len() - view.deleted(), live.len());
                let shown: BTreeMap<&str, &PodRow> = view
                    .entries()
                    .filter(|e| e.change(now) != Some(Change::Deleted))
                    .map(|e| (e.row.name.as_str(), &e.row))
                    .collect();
                let want: BTreeMap<&str, &PodRow> = live.iter().map(|(k, v)| (k.as_str(), v)).collect();
                prop_assert_eq!(shown, want);
                let names: Vec<&str> = view.entries().map(|e| e.row.name.as_str()).collect();
                prop_assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted: {:?}", names);
            }
            let end = t(clock) + PodsView::LINGER + PodsView::HIGHLIGHT;
            view.expire(end);
            prop_assert_eq!(view.deleted(), 0);
            prop_assert_eq!(view.len(), live.len());
            prop_assert!(view.entries().all(|e| e.change(end).is_none()));
            prop_assert_eq!(view.next_deadline(), None);
        }
    }
}

#[test]
fn a_terminating_or_deleted_pod_keeps_the_role_it_had() {
    let mut view = PodsView::new();
    listed(&mut view);
    let roles = |m: &str, r: &str| {
        HashMap::from([
            (m.to_string(), Role::Master),
            (r.to_string(), Role::Replica),
        ])
    };
    view.set_roles(roles("10.0.0.1", "10.0.0.2"), t(1));
    view.apply(
        PodsUpdate::Applied(row("a", "Terminating", Some("10.0.0.1"))),
        t(2),
    );
    // After the failover the sentinels list the dying master as a replica.
    view.set_roles(roles("10.0.0.2", "10.0.0.1"), t(3));
    let role = |view: &PodsView, name: &str| {
        let e = view.entries().find(|e| e.row.name == name).expect("row");
        view.role(&e.row)
    };
    assert_eq!(role(&view, "a"), Some(Role::Master));
    assert_eq!(role(&view, "b"), Some(Role::Master));
    view.apply(PodsUpdate::Deleted("a".into()), t(4));
    assert_eq!(role(&view, "a"), Some(Role::Master), "still what it was");
    // A pod recreated under the same name is new: its role is live again.
    view.apply(
        PodsUpdate::Applied(row("a", "Running", Some("10.0.0.1"))),
        t(5),
    );
    assert_eq!(role(&view, "a"), Some(Role::Replica));
}
