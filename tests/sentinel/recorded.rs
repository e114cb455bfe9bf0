//! A failover as recorded from a live run of the harness (event order, payload shapes and
//! relative timing kept), with the addresses pods get in a cluster. Replaying it gives the same
//! view every time, for model tests and pane snapshots.

use std::time::{Duration, SystemTime};

use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::report::{Flags, MasterReport, PeerReport, ReplicaReport, Topology};
use kubetutor::sentinel::{Addr, SentinelEvent, SentinelUpdate, SentinelView};

pub const OLD: &str = "10.244.1.5";
pub const NEW: &str = "10.244.2.7";
pub const OTHER: &str = "10.244.3.9";
const SENTINELS: [(&str, &str); 3] = [
    ("10.244.1.10", "a1f0c3de55aa01"),
    ("10.244.2.11", "b2e1d4ef66bb02"),
    ("10.244.3.12", "c3d2e5f077cc03"),
];

/// 2026-11-25 12:00:00 UTC: the kill happens one second later.
pub fn t(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_608_000) + Duration::from_millis(ms)
}

pub fn endpoint(i: usize) -> String {
    format!("{}:26379", SENTINELS[i].0)
}

pub fn topology(master: &str, flags: &str, epoch: u64, me: usize) -> Topology {
    let replicas = [OLD, NEW, OTHER].into_iter().filter(|ip| *ip != master);
    Topology {
        master: MasterReport {
            name: "mymaster".into(),
            addr: Addr::new(master, 6379),
            flags: Flags(flags.into()),
            config_epoch: epoch,
            quorum: 2,
            num_slaves: 2,
            num_other_sentinels: 2,
            last_ok_ping_ms: Some(120),
        },
        replicas: replicas
            .map(|ip| ReplicaReport {
                addr: Addr::new(ip, 6379),
                flags: Flags(
                    if ip == OLD {
                        "slave,s_down,disconnected"
                    } else {
                        "slave"
                    }
                    .into(),
                ),
                link_ok: ip != OLD,
                offset: Some(if ip == OTHER { 81_900 } else { 82_004 }),
                priority: Some(100),
            })
            .collect(),
        sentinels: (0..3)
            .filter(|i| *i != me)
            .map(|i| PeerReport {
                run_id: SENTINELS[i].1.into(),
                addr: Addr::new(SENTINELS[i].0, 26379),
                flags: Flags("sentinel".into()),
                last_ok_ping_ms: Some(300 + 100 * i as u64),
            })
            .collect(),
        ckquorum: Ok(
            "OK 3 usable Sentinels. Quorum and failover authorization can be reached".into(),
        ),
    }
}

/// The three sentinels connected and reporting the original master.
pub fn settled() -> Vec<(SystemTime, SentinelUpdate)> {
    let mut out = vec![];
    for (i, (_, run_id)) in SENTINELS.iter().enumerate() {
        let e = endpoint(i);
        let at = t(10 * i as u64);
        out.push((
            at,
            SentinelUpdate::Identity {
                endpoint: e.clone(),
                run_id: run_id.to_string(),
            },
        ));
        out.push((
            at,
            SentinelUpdate::Link {
                endpoint: e.clone(),
                state: LinkState::Connected,
            },
        ));
        out.push((
            at,
            SentinelUpdate::Topology {
                endpoint: e,
                topology: topology(OLD, "master", 0, i),
            },
        ));
    }
    let info = kubetutor::sentinel::report::parse_replication(
        "role:master\nslave0:ip=10.244.2.7,port=6379,state=online,offset=82004,lag=0\n\
         slave1:ip=10.244.3.9,port=6379,state=online,offset=81900,lag=1\nmaster_repl_offset:82004\n",
    );
    out.push((
        t(50),
        SentinelUpdate::MasterInfo {
            addr: Addr::new(OLD, 6379),
            info: Ok(info),
        },
    ));
    out
}

fn ev(ms: u64, who: usize, name: &str, payload: String) -> (SystemTime, SentinelUpdate) {
    let event = SentinelEvent::new(name, payload);
    (
        t(1000 + ms),
        SentinelUpdate::Event {
            endpoint: endpoint(who),
            at: t(1000 + ms),
            event,
        },
    )
}

/// The failover, `ms` after the first `+sdown` (as recorded: 0 .. 1193 ms).
pub fn failover() -> Vec<(SystemTime, SentinelUpdate)> {
    let m = format!("master mymaster {OLD} 6379");
    let s = |ip: &str| format!("slave {ip}:6379 {ip} 6379 @ mymaster {OLD} 6379");
    let leader = SENTINELS[1].1;
    let mut out = vec![];
    for who in [2, 1, 0] {
        out.push(ev(0, who, "+sdown", m.clone()));
    }
    out.push(ev(88, 1, "+odown", format!("{m} #quorum 2/2")));
    for who in [1, 0, 2] {
        out.push(ev(88, who, "+new-epoch", "1".into()));
    }
    out.push(ev(88, 1, "+try-failover", m.clone()));
    for who in [1, 0, 2] {
        out.push(ev(89, who, "+vote-for-leader", format!("{leader} 1")));
    }
    out.push(ev(107, 0, "+odown", format!("{m} #quorum 3/2")));
    out.push(ev(172, 1, "+elected-leader", m.clone()));
    out.push(ev(172, 1, "+failover-state-select-slave", m.clone()));
    out.push(ev(235, 1, "+selected-slave", s(NEW)));
    out.push(ev(235, 1, "+failover-state-send-slaveof-noone", s(NEW)));
    out.push(ev(326, 1, "+failover-state-wait-promotion", s(NEW)));
    out.push(ev(
        1101,
        2,
        "-role-change",
        format!("{} new reported role is master", s(NEW)),
    ));
    out.push(ev(1113, 1, "+promoted-slave", s(NEW)));
    out.push(ev(1113, 1, "+failover-state-reconf-slaves", m.clone()));
    out.push(ev(1184, 1, "+slave-reconf-sent", s(OTHER)));
    out.push(ev(
        1193,
        0,
        "+config-update-from",
        format!("sentinel {leader} 10.244.2.11 26379 @ mymaster {OLD} 6379"),
    ));
    let switch = format!("mymaster {OLD} 6379 {NEW} 6379");
    out.push(ev(1193, 0, "+switch-master", switch.clone()));
    out.push(ev(1201, 2, "+switch-master", switch.clone()));
    out.push(ev(1290, 1, "+slave-reconf-inprog", s(OTHER)));
    out.push(ev(1390, 1, "+slave-reconf-done", s(OTHER)));
    out.push(ev(1391, 1, "+failover-end", m));
    out.push(ev(1391, 1, "+switch-master", switch));
    out
}

/// Reports after the failover, from every sentinel.
pub fn after() -> Vec<(SystemTime, SentinelUpdate)> {
    (0..3)
        .map(|i| {
            let topology = topology(NEW, "master", 1, i);
            (
                t(2500),
                SentinelUpdate::Topology {
                    endpoint: endpoint(i),
                    topology,
                },
            )
        })
        .collect()
}

pub fn replay(
    view: &mut SentinelView,
    updates: impl IntoIterator<Item = (SystemTime, SentinelUpdate)>,
) {
    for (at, u) in updates {
        view.apply(u, at);
    }
}

pub fn view() -> SentinelView {
    SentinelView::new("mymaster", t(0))
}

/// Every sentinel unreachable at 9 s (attempt 4, next retry in 2 s).
pub fn all_down(view: &mut SentinelView) {
    for i in 0..SENTINELS.len() {
        let state = LinkState::Unreachable {
            attempt: 4,
            backoff: Duration::from_secs(2),
            error: "Connection refused (os error 111)".into(),
        };
        view.apply(
            SentinelUpdate::Link {
                endpoint: endpoint(i),
                state,
            },
            t(9000),
        );
    }
}
