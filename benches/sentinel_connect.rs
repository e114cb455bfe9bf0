//! Budget (issue 18): the sentinel pane is connected within 200 ms of the background job that
//! starts the sentinel. Real redis-sentinel on 127.0.0.1 (tests/sentinel/harness.rs); the pane
//! has been retrying long enough for its backoff to reach the loopback cap.
//! - woken: the TUI wakes the monitor when a job starts (what the app does);
//! - not woken: the backoff alone;
//! - baseline: a bare PING every millisecond from the moment the process is spawned.
//!
//! Run: `cargo bench --bench sentinel_connect` (KT_BENCH_REPS=N, default 5). Exits 1 over budget.

#[allow(dead_code)]
#[path = "../tests/sentinel/harness.rs"]
mod harness;

use std::process::ExitCode;
use std::time::Duration;

const BUDGET: Duration = Duration::from_millis(200);

fn stats(v: &mut [Duration]) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() - 1])
}

fn main() -> ExitCode {
    let reps: usize = std::env::var("KT_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
        .max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut woken = Vec::new();
    let mut unwoken = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..reps {
        woken.push(rt.block_on(harness::connect_after_start(true)));
        unwoken.push(rt.block_on(harness::connect_after_start(false)));
        baseline.push(harness::ping_after_start());
    }
    let (bm, bx) = stats(&mut baseline);
    println!("pane connected after the sentinel's job started (budget {BUDGET:?}), n={reps}");
    for (name, v) in [
        ("woken (the TUI)", &mut woken),
        ("not woken (backoff only)", &mut unwoken),
    ] {
        let (m, x) = stats(v);
        println!(
            "{name:<26} median {m:>9.3?}  max {x:>9.3?}  vs baseline x{:.1}  max/budget {:.2}",
            m.as_secs_f64() / bm.as_secs_f64(),
            x.as_secs_f64() / BUDGET.as_secs_f64()
        );
    }
    println!(
        "{:<26} median {bm:>9.3?}  max {bx:>9.3?}",
        "baseline (bare PING loop)"
    );
    if stats(&mut woken).1 > BUDGET {
        eprintln!("over budget");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
