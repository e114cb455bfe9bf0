//! Issue 18: the pane connects to a sentinel the lesson starts later right after its background
//! job starts (the TUI wakes the monitor on every job start), measured with a real
//! redis-sentinel on 127.0.0.1. The 200 ms budget itself lives in `benches/sentinel_connect.rs`;
//! this test checks that the wake is what makes it fast.

use crate::harness::{connect_after_start, ping_after_start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentinel_started_by_a_job_is_connected_at_once_when_woken() {
    let mut woken = Vec::new();
    for _ in 0..3 {
        woken.push(connect_after_start(true).await);
    }
    let unwoken = connect_after_start(false).await;
    let bare = ping_after_start();
    eprintln!(
        "connected after the job started: woken {woken:?}, without the wake {unwoken:?}, \
         a bare PING loop {bare:?}"
    );
    let worst = woken.iter().max().copied().unwrap_or_default();
    // Without the wake the link sleeps out its backoff (500 ms on loopback): woken must not.
    assert!(
        worst < unwoken / 2,
        "woken {woken:?} vs backoff only {unwoken:?}"
    );
}
