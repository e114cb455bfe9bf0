//! Sentinels are known by run id: the seed link through the service and the link found from a
//! peer list are one sentinel; a deleted pod's sentinel is shown gone (recorded from the real
//! node's lesson run: the service reconnects to another sentinel pod after each deletion).

use std::time::Duration;

use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::report::{Flags, PeerReport};
use kubetutor::sentinel::{Addr, Health, Presence, SentinelUpdate, SentinelView};

use crate::recorded::{self, t};

const SEED: &str = "svc/redis-sentinel:26379";
const PODS: [(&str, &str); 5] = [
    ("10.244.0.3", "aaaa0000aaaa"),
    ("10.244.0.4", "bbbb1111bbbb"),
    ("10.244.0.5", "cccc2222cccc"),
    ("10.244.0.6", "dddd3333dddd"),
    ("10.244.0.7", "eeee4444eeee"),
];

fn ep(i: usize) -> String {
    format!("{}:26379", PODS[i].0)
}

/// Sentinel `me`'s report: it lists `peers`, flagging the `gone` ones `s_down`.
fn report(me: usize, peers: &[usize], gone: &[usize]) -> SentinelUpdate {
    let mut topology = recorded::topology(recorded::OLD, "master", 0, 0);
    topology.master.num_other_sentinels = peers.len() as u32;
    topology.sentinels = peers
        .iter()
        .map(|&p| PeerReport {
            run_id: PODS[p].1.into(),
            addr: Addr::new(PODS[p].0, 26379),
            flags: Flags(
                if gone.contains(&p) {
                    "sentinel,s_down"
                } else {
                    "sentinel"
                }
                .into(),
            ),
            last_ok_ping_ms: Some(if gone.contains(&p) { 9_000 } else { 200 }),
        })
        .collect();
    let endpoint = if me == usize::MAX {
        SEED.into()
    } else {
        ep(me)
    };
    SentinelUpdate::Topology { endpoint, topology }
}

fn connect(v: &mut SentinelView, endpoint: &str, id: usize, at: u64) {
    for u in [
        SentinelUpdate::Identity {
            endpoint: endpoint.into(),
            run_id: PODS[id].1.into(),
        },
        SentinelUpdate::Link {
            endpoint: endpoint.into(),
            state: LinkState::Connected,
        },
    ] {
        v.apply(u, t(at));
    }
}

fn down(v: &mut SentinelView, endpoint: &str, at: u64) {
    let state = LinkState::Unreachable {
        attempt: 1,
        backoff: Duration::from_millis(250),
        error: "connection closed".into(),
    };
    let u = SentinelUpdate::Link {
        endpoint: endpoint.into(),
        state,
    };
    v.apply(u, t(at));
}

fn seed_report(v: &mut SentinelView, me: usize, peers: &[usize], gone: &[usize], at: u64) {
    let SentinelUpdate::Topology { topology, .. } = report(me, peers, gone) else {
        unreachable!()
    };
    let u = SentinelUpdate::Topology {
        endpoint: SEED.into(),
        topology,
    };
    v.apply(u, t(at));
}

/// A (seed), B and C; then A's pod is deleted and the service leads to B; D replaces A.
pub fn after_one_deletion() -> SentinelView {
    let mut v = recorded::view();
    connect(&mut v, SEED, 0, 0);
    seed_report(&mut v, 0, &[1, 2], &[], 0);
    for i in [1, 2] {
        connect(&mut v, &ep(i), i, 10);
        let peers: Vec<usize> = [0, 1, 2].into_iter().filter(|p| *p != i).collect();
        v.apply(report(i, &peers, &[]), t(10));
    }
    down(&mut v, SEED, 1000);
    connect(&mut v, SEED, 1, 1400);
    seed_report(&mut v, 1, &[0, 2, 3], &[0], 7000);
    // The monitor follows the old seed by its own address: its pod is gone.
    down(&mut v, &ep(0), 7100);
    v.apply(report(1, &[0, 2, 3], &[0]), t(7000));
    v.apply(report(2, &[0, 1, 3], &[0]), t(7000));
    connect(&mut v, &ep(3), 3, 7200);
    v.apply(report(3, &[0, 1, 2], &[0]), t(7200));
    v
}

/// Then B's pod goes too: the service leads to C, E replaces B.
pub fn after_two_deletions() -> SentinelView {
    let mut v = after_one_deletion();
    down(&mut v, SEED, 20_000);
    down(&mut v, &ep(1), 20_000);
    connect(&mut v, SEED, 2, 20_400);
    seed_report(&mut v, 2, &[0, 1, 3, 4], &[0, 1], 26_000);
    v.apply(report(2, &[0, 1, 3, 4], &[0, 1]), t(26_000));
    v.apply(report(3, &[0, 1, 2, 4], &[0, 1]), t(26_000));
    connect(&mut v, &ep(4), 4, 26_100);
    v.apply(report(4, &[0, 1, 2, 3], &[0, 1]), t(26_100));
    v
}

fn summary(v: &SentinelView) -> Vec<(String, Presence, bool)> {
    v.sentinels()
        .into_iter()
        .map(|s| (s.label, s.presence, s.via_service))
        .collect()
}

#[test]
fn the_seed_and_its_discovered_link_are_one_sentinel() {
    let mut v = recorded::view();
    connect(&mut v, SEED, 0, 0);
    seed_report(&mut v, 0, &[1, 2], &[], 0);
    for i in [1, 2] {
        connect(&mut v, &ep(i), i, 10);
    }
    // Until a peer names it, the seed's sentinel has no address of its own.
    assert_eq!(summary(&v)[2].0, "via service");
    for i in [1, 2] {
        let peers: Vec<usize> = [0, 1, 2].into_iter().filter(|p| *p != i).collect();
        v.apply(report(i, &peers, &[]), t(10));
    }
    let s = summary(&v);
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(
        s[0].2,
        "the seed reaches 10.244.0.3 through the service: {s:?}"
    );
    assert_eq!(
        v.health(),
        Health::Connected {
            up: 3,
            total: 3,
            gone: 0
        }
    );
}

#[test]
fn deleting_the_seed_pod_twice_counts_no_sentinel_twice() {
    let v = after_one_deletion();
    let s = summary(&v);
    let labels: Vec<&str> = s.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        labels,
        ["10.244.0.3", "10.244.0.4", "10.244.0.5", "10.244.0.6"]
    );
    assert_eq!(s[0].1, Presence::Gone);
    assert!(s[1].2, "the service now leads to 10.244.0.4");
    assert_eq!(
        v.health(),
        Health::Connected {
            up: 3,
            total: 3,
            gone: 1
        }
    );
    assert_eq!(v.counted(), Some(4), "SENTINEL SENTINELS lists 3 others");

    let v = after_two_deletions();
    let s = summary(&v);
    assert_eq!(s.len(), 5, "{s:?}");
    let gone: Vec<&str> = s
        .iter()
        .filter(|s| s.1 == Presence::Gone)
        .map(|s| s.0.as_str())
        .collect();
    assert_eq!(gone, ["10.244.0.3", "10.244.0.4"]);
    assert_eq!(
        v.health(),
        Health::Connected {
            up: 3,
            total: 3,
            gone: 2
        }
    );
    assert_eq!(
        v.counted(),
        Some(5),
        "they count the gone until SENTINEL RESET"
    );
    // Events are credited to sentinels, so no reporter is counted twice either.
    assert!(v.timeline.entries().all(|e| {
        let mut k = e.seen_by.clone();
        k.sort();
        k.dedup();
        k.len() == e.seen_by.len()
    }));
}
