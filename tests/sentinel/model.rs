//! The view folded from the recorded failover: no Redis needed.

use std::time::Duration;

use kubetutor::sentinel::Health;
use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{Addr, Role, SentinelUpdate, SentinelView};

use crate::recorded::{self, NEW, OLD, OTHER, endpoint, replay, t};

#[test]
fn settled_view_has_topology_roles_and_lag() {
    let mut v = recorded::view();
    replay(&mut v, recorded::settled());
    assert_eq!(
        v.health(),
        Health::Connected {
            up: 3,
            total: 3,
            gone: 0
        }
    );
    let t0 = v.topology().expect("topology");
    assert_eq!(t0.master.addr, Addr::new(OLD, 6379));
    let roles = v.roles();
    assert_eq!(roles.get(OLD), Some(&Role::Master));
    assert_eq!(roles.get(NEW), Some(&Role::Replica));
    assert_eq!(roles.get("10.244.3.12"), Some(&Role::Sentinel));
    assert_eq!(roles.len(), 6);
    assert_eq!(v.lag(&Addr::new(OTHER, 6379)), Some(104));
}

/// Events are credited to sentinels by run id; the pane shows their labels.
fn labels(v: &SentinelView, keys: &[String]) -> String {
    let sentinels = v.sentinels();
    let labels: Vec<&str> = keys
        .iter()
        .map(|k| SentinelView::label_of(&sentinels, k))
        .collect();
    labels.join(",")
}

#[test]
fn failover_is_measured_and_events_merged_across_sentinels() {
    let mut v = recorded::view();
    replay(&mut v, recorded::settled());
    replay(&mut v, recorded::failover());
    let f = v.failover.last.clone().expect("measured");
    assert_eq!(f.duration, Duration::from_millis(1193));
    assert_eq!((f.old.ip.as_str(), f.new.ip.as_str()), (OLD, NEW));
    let first = v.timeline.entries().next().expect("entries");
    assert_eq!(
        (first.event.name.as_str(), labels(&v, &first.seen_by)),
        ("+sdown", "10.244.3.12,10.244.2.11,10.244.1.10".into())
    );
    let switches: Vec<_> = v
        .timeline
        .entries()
        .filter(|e| e.event.name == "+switch-master")
        .collect();
    assert_eq!(
        switches.len(),
        1,
        "the same switch from 3 sentinels is one entry"
    );
    assert_eq!(
        labels(&v, &switches[0].seen_by),
        "10.244.1.10,10.244.3.12,10.244.2.11"
    );
    // Events patch each sentinel's last report before the next refresh arrives.
    assert_eq!(
        v.topology().map(|t| t.master.addr.ip.clone()),
        Some(NEW.to_string())
    );
}

#[test]
fn sentinels_that_disagree_are_a_split_view() {
    let mut v = recorded::view();
    replay(&mut v, recorded::settled());
    assert!(!v.split_view());
    let topology = recorded::topology(NEW, "master", 1, 0);
    v.apply(
        SentinelUpdate::Topology {
            endpoint: endpoint(0),
            topology,
        },
        t(3000),
    );
    assert!(v.split_view());
    let masters: Vec<String> = v.opinions().iter().map(|o| o.master.ip.clone()).collect();
    assert_eq!(masters, [NEW, OLD, OLD]);
    // The higher epoch wins the reference report.
    assert_eq!(v.topology().map(|t| t.master.config_epoch), Some(1));
}

#[test]
fn health_reports_the_worst_useful_state() {
    let mut v = recorded::view();
    assert_eq!(v.health(), Health::Connecting { attempt: 1 });
    let down = |attempt| LinkState::Unreachable {
        attempt,
        backoff: Duration::from_secs(2),
        error: "connection refused".into(),
    };
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(0),
            state: down(3),
        },
        t(0),
    );
    // Before any sentinel ever answered, that is a wait (the lesson starts them later).
    assert!(
        matches!(v.health(), Health::Waiting { .. }),
        "{:?}",
        v.health()
    );
    v.ever_connected = true;
    assert!(matches!(v.health(), Health::Unreachable { attempt: 3, .. }));
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(1),
            state: down(1),
        },
        t(0),
    );
    assert!(matches!(
        v.health(),
        Health::AllDown {
            total: 2,
            attempt: 3,
            ..
        }
    ));
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(1),
            state: LinkState::Connected,
        },
        t(0),
    );
    assert_eq!(
        v.health(),
        Health::Connected {
            up: 1,
            total: 2,
            gone: 0
        }
    );
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(0),
            state: LinkState::AuthRequired,
        },
        t(0),
    );
    assert_eq!(v.health(), Health::AuthRequired);
}
