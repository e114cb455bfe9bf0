//! Issue 21 item 5: the pane's "unavailable for writes" (a `ROLE` probe every 250 ms) against
//! the real outage, measured by a tight loop in the test asking every server `ROLE`, with a
//! real master killed on loopback. Within 1 s, and longer than detection-to-switch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use kubetutor::sentinel::Health;

use crate::harness::{Cluster, MASTER, Watch, raw};

/// Whether a server answers `ROLE` as master (RESP: `*3 $6 master ...`).
fn is_master(port: u16) -> bool {
    raw(port, &["ROLE"]).is_some_and(|r| r.starts_with('*') && r.contains("$6\r\nmaster\r\n"))
}

/// The window in which no server answered as master: (last answer, next answer).
fn tight_loop(ports: Vec<u16>, stop: Arc<AtomicBool>) -> Option<(SystemTime, SystemTime)> {
    let mut last_ok = None;
    let mut from = None;
    while !stop.load(Ordering::Relaxed) {
        let now = SystemTime::now();
        let ok = ports.iter().any(|&p| is_master(p));
        match (ok, from) {
            (true, None) => last_ok = Some(now),
            (false, None) if last_ok.is_some() => from = last_ok,
            (true, Some(f)) => return Some((f, now)),
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_for_writes_matches_the_measured_outage() {
    let mut cluster = Cluster::start(None);
    let mut w = Watch::start(cluster.config(MASTER, None));
    w.until("connected", Duration::from_secs(20), |v| {
        matches!(v.health(), Health::Connected { up: 3, .. })
            && v.topology().is_some_and(|t| t.replicas.len() == 2)
    })
    .await;
    w.until(
        "the pane's probe sees the master",
        Duration::from_secs(5),
        |v| v.writable == Some(true),
    )
    .await;
    let mut ports = vec![cluster.master.port];
    ports.extend(cluster.replicas.iter().map(|r| r.port));
    let stop = Arc::new(AtomicBool::new(false));
    let probe = {
        let stop = stop.clone();
        std::thread::spawn(move || tight_loop(ports, stop))
    };
    std::thread::sleep(Duration::from_millis(100));
    cluster.master.kill();
    w.until("outage over", Duration::from_secs(30), |v| {
        v.outage.is_some_and(|o| o.to.is_some()) && v.failover.last.is_some()
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let (from, to) = probe
        .join()
        .expect("probe thread")
        .expect("outage measured");
    let measured = to.duration_since(from).expect("ordered");
    let shown = w.view.outage.expect("outage").length(SystemTime::now());
    let detection = w.view.failover.last.as_ref().expect("failover").duration;
    eprintln!(
        "unavailable for writes: pane {shown:?}, tight loop {measured:?}; detection-to-switch {detection:?}"
    );
    let diff = shown.abs_diff(measured);
    assert!(
        diff < Duration::from_secs(1),
        "pane {shown:?} vs measured {measured:?}"
    );
    assert!(
        shown > detection,
        "the outage includes down-after: {shown:?} vs {detection:?}"
    );
}
