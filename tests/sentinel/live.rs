//! Against real redis-server and redis-sentinel processes (see harness.rs).

use std::time::Duration;

use kubetutor::sentinel::Health;
use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{Addr, MonitorConfig, Role, Seed};

use crate::harness::{Cluster, MASTER, Watch, free_port};

const SETTLE: Duration = Duration::from_secs(20);

/// Three sentinel links up, and the reference report knows the replicas and both peers.
fn settled(v: &kubetutor::sentinel::SentinelView) -> bool {
    v.health()
        == (Health::Connected {
            up: 3,
            total: 3,
            gone: 0,
        })
        && v.topology()
            .is_some_and(|t| t.replicas.len() == 2 && t.sentinels.len() == 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sees_the_topology_and_publishes_roles() {
    let cluster = Cluster::start(None);
    let mut w = Watch::start(cluster.config(MASTER, None));
    w.until("topology", SETTLE, settled).await;
    let t = w.view.topology().expect("topology");
    assert_eq!(t.master.addr, Addr::new("127.0.0.1", cluster.master.port));
    assert_eq!(t.master.quorum, 2);
    assert!(
        t.ckquorum.as_ref().is_ok_and(|s| s.contains("3 usable")),
        "{:?}",
        t.ckquorum
    );
    let mut ports: Vec<u16> = t.replicas.iter().map(|r| r.addr.port).collect();
    ports.sort();
    let mut want: Vec<u16> = cluster.replicas.iter().map(|r| r.port).collect();
    want.sort();
    assert_eq!(ports, want);
    assert!(!w.view.split_view());
    // Everything runs on 127.0.0.1, so the master's role wins for that IP.
    assert_eq!(w.view.roles().get("127.0.0.1"), Some(&Role::Master));
    w.until("replication offsets", SETTLE, |v| {
        v.topology()
            .is_some_and(|t| t.replicas.iter().all(|r| v.lag(&r.addr).is_some()))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_failover_when_the_master_is_killed() {
    let mut cluster = Cluster::start(None);
    let mut w = Watch::start(cluster.config(MASTER, None));
    w.until("topology", SETTLE, settled).await;
    let old = Addr::new("127.0.0.1", cluster.master.port);
    cluster.master.kill();
    w.until("failover measured", Duration::from_secs(30), |v| {
        v.failover.last.is_some()
    })
    .await;

    // Shown when an assertion below fails.
    let started = w
        .view
        .timeline
        .entries()
        .next()
        .map(|e| e.at)
        .unwrap_or(std::time::UNIX_EPOCH);
    for e in w.view.timeline.entries() {
        let t =
            e.at.duration_since(started)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(-1);
        eprintln!(
            "{t:>6} {:<10} {} {}",
            e.seen_by.join(","),
            e.event.name,
            e.event.payload
        );
    }
    let names: Vec<&str> = w
        .view
        .timeline
        .entries()
        .map(|e| e.event.name.as_str())
        .collect();
    for want in ["+sdown", "+odown", "+switch-master"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let f = w.view.failover.last.clone().expect("failover");
    assert_eq!(f.old, old);
    let replicas: Vec<u16> = cluster.replicas.iter().map(|r| r.port).collect();
    assert!(
        replicas.contains(&f.new.port),
        "new master {} is not an old replica",
        f.new
    );
    assert!(
        f.duration > Duration::from_millis(300) && f.duration < Duration::from_secs(10),
        "implausible failover time {:?}",
        f.duration
    );
    w.until("new master in the report", SETTLE, |v| {
        v.topology().is_some_and(|t| t.master.addr == f.new)
    })
    .await;
    assert_eq!(w.view.roles().len(), 1, "all on 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_sentinel_retries_with_backoff() {
    let config = MonitorConfig {
        seed: Seed::Address {
            host: "127.0.0.1".into(),
            port: free_port(),
        },
        master: MASTER.into(),
        password: None,
        refresh: Duration::from_millis(500),
        wake: Default::default(),
    };
    let mut w = Watch::start(config);
    let state = |v: &kubetutor::sentinel::SentinelView| v.links.first().map(|l| l.state.clone());
    w.until("second failed attempt", SETTLE, |v| {
        matches!(state(v), Some(LinkState::Unreachable { attempt: 2.., .. }))
    })
    .await;
    let Some(LinkState::Unreachable { backoff, .. }) = state(&w.view) else {
        unreachable!()
    };
    assert!(
        backoff > Duration::from_millis(20),
        "backoff grows: {backoff:?}"
    );
    // Nothing ever answered there: a wait, not an error.
    assert!(
        matches!(w.view.health(), Health::Waiting { .. }),
        "{:?}",
        w.view.health()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_sentinels_down_is_reported() {
    let mut cluster = Cluster::start(None);
    let mut w = Watch::start(cluster.config(MASTER, None));
    w.until("topology", SETTLE, settled).await;
    for s in &mut cluster.sentinels {
        s.kill();
    }
    w.until("all down", SETTLE, |v| {
        matches!(v.health(), Health::AllDown { total: 3, .. })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_master_name() {
    let cluster = Cluster::start(None);
    let mut w = Watch::start(cluster.config("nosuchmaster", None));
    w.until("unknown master", SETTLE, |v| {
        v.health() == Health::UnknownMaster
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_required_failed_and_ok() {
    let cluster = Cluster::start(Some("s3cret"));
    let mut none = Watch::start(cluster.config(MASTER, None));
    let mut wrong = Watch::start(cluster.config(MASTER, Some("nope")));
    let mut right = Watch::start(cluster.config(MASTER, Some("s3cret")));
    none.until("auth required", SETTLE, |v| {
        v.health() == Health::AuthRequired
    })
    .await;
    wrong
        .until("auth failed", SETTLE, |v| {
            matches!(v.health(), Health::AuthFailed { .. })
        })
        .await;
    right
        .until("connected", SETTLE, |v| {
            matches!(v.health(), Health::Connected { .. })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_ends_and_disconnects_when_the_receiver_is_dropped() {
    let cluster = Cluster::start(None);
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let task = kubetutor::sentinel::spawn_monitor(cluster.config(MASTER, None), tx);
    let mut w = crate::harness::Watch::from_parts(MASTER, rx);
    w.until("topology", SETTLE, settled).await;
    let clients = crate::harness::raw(cluster.sentinels[0].port, &["CLIENT", "LIST"]);
    assert!(
        clients.is_some_and(|l| l.contains("psubscribe")),
        "our subscriber is listed"
    );
    drop(w);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("monitor ended")
        .expect("no panic");
    for s in &cluster.sentinels {
        crate::harness::wait_for("our subscribers gone", Duration::from_secs(5), || {
            crate::harness::raw(s.port, &["CLIENT", "LIST"])
                .is_some_and(|l| !l.contains("psubscribe"))
        });
    }
}
