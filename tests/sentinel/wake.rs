//! Issue 18: the pane connects to a sentinel the lesson starts later within 200 ms of its
//! background job starting (the TUI wakes the monitor on every job start), measured with a
//! real redis-sentinel on 127.0.0.1.

use std::time::{Duration, Instant};

use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{Health, MonitorConfig, Seed, SentinelView, wake_channel};

use crate::harness::{MASTER, Watch, free_port, require_redis, spawn_sentinel};

/// Waits until the seed link sleeps its longest loopback backoff, starts a sentinel there
/// (waking the monitor as the TUI does when `wake`), and returns how long until connected.
async fn connect_after_start(wake: bool) -> Duration {
    require_redis();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let (handle, woken) = wake_channel();
    let config = MonitorConfig {
        seed: Seed::Address {
            host: "127.0.0.1".into(),
            port,
        },
        master: MASTER.into(),
        password: None,
        refresh: Duration::from_millis(500),
        wake: woken,
    };
    let mut w = Watch::start(config);
    let capped = |v: &SentinelView| {
        v.links.first().is_some_and(|l| {
            matches!(l.state, LinkState::Unreachable { backoff, .. } if backoff >= Duration::from_millis(500))
        })
    };
    w.until(
        "backoff at its loopback cap",
        Duration::from_secs(10),
        capped,
    )
    .await;
    assert!(matches!(w.view.health(), Health::Waiting { .. }));
    let started = Instant::now();
    let _sentinel = spawn_sentinel(dir.path(), port);
    if wake {
        handle.wake();
    }
    w.until("connected", Duration::from_secs(10), |v| {
        matches!(v.health(), Health::Connected { .. })
    })
    .await;
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentinel_started_by_a_job_is_connected_within_200_ms() {
    let mut woken = Vec::new();
    for _ in 0..3 {
        woken.push(connect_after_start(true).await);
    }
    let unwoken = connect_after_start(false).await;
    eprintln!("connected after the job started: woken {woken:?}, without the wake {unwoken:?}");
    let worst = woken.iter().max().copied().unwrap_or_default();
    assert!(
        worst < Duration::from_millis(200),
        "woken connects took {woken:?} (budget 200 ms)"
    );
}
