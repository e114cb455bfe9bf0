//! Budget: with 5,000 pods in the store, one watch event is applied and the pods pane drawn in
//! under 5 ms (DESIGN §7). The event is a real Pod: converted to a row (as the watch task does),
//! folded into the view, then the pane is drawn into a 70x40 TestBackend. Measured side by side
//! with the same work on a 50-pod store: a ratio near 1 shows the cost does not grow with the
//! store (O(log n) fold, only visible rows formatted).
//!
//! Run: `cargo bench --bench pods` (KT_BENCH_REPS=N to change repetitions).

#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use k8s_openapi::api::core::v1::Pod;
use kubetutor::app::pods_view::PodsView;
use kubetutor::kube::model::{PodRow, PodsUpdate};
use kubetutor::tui::pods_pane::PodsPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const BUDGET: Duration = Duration::from_millis(5);

fn pod(i: usize, restarts: i32) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("redis-{i:05}"), "namespace": "bench",
                     "resourceVersion": format!("{}", 1000 + i),
                     "creationTimestamp": "2026-11-25T20:00:00Z", "labels": {"app": "redis"}},
        "spec": {"containers": [{"name": "redis", "image": "redis:7.2"}]},
        "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
                   "podIPs": [{"ip": format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)}],
                   "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "redis", "image": "redis:7.2", "imageID": "", "ready": true,
                       "restartCount": restarts, "started": true,
                       "state": {"running": {"startedAt": "2026-11-25T20:00:05Z"}}}]}
    }))
    .expect("bench pod")
}

fn store(n: usize, now: SystemTime) -> PodsView {
    let mut view = PodsView::new();
    let rows = (0..n).map(|i| PodRow::from_pod(&pod(i, 0), now)).collect();
    view.apply(PodsUpdate::Listed(rows), now);
    view
}

/// Median of: convert one changed pod, apply it, draw the pane scrolled to that pod.
fn measure(n: usize, reps: usize) -> Duration {
    let now = SystemTime::now();
    let mut view = store(n, now);
    let mut terminal = Terminal::new(TestBackend::new(70, 40)).expect("terminal");
    let events: Vec<Pod> = (0..reps + 1)
        .map(|r| pod((r * 7919) % n, r as i32 + 1))
        .collect();
    let mut times = Vec::with_capacity(reps);
    for (r, event) in events.iter().enumerate() {
        let t = Instant::now();
        let row = PodRow::from_pod(event, now);
        let scroll = (r * 7919) % n;
        view.apply(PodsUpdate::Applied(row), now);
        terminal
            .draw(|f| {
                let pane = PodsPane::new(&view, now)
                    .theme(Theme::dark())
                    .scroll(scroll);
                f.render_widget(pane, f.area());
            })
            .expect("draw");
        black_box(terminal.backend().buffer());
        if r > 0 {
            times.push(t.elapsed());
        }
    }
    support::median(times)
}

fn main() -> ExitCode {
    let reps = support::reps(500);
    let baseline = measure(50, reps);
    let big = measure(5000, reps);
    println!("pods pane: one watch event applied + frame drawn (70x40), median of {reps}");
    println!("  50 pods (baseline) {:>10.3?}", baseline);
    println!(
        "  5,000 pods         {:>10.3?}   ratio to baseline {:.2}",
        big,
        support::ratio(big, baseline)
    );
    let mut budgets = support::Budgets::new();
    budgets.time("one event + frame with 5,000 pods", big, BUDGET);
    budgets.finish()
}
