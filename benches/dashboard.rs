//! Budget (issue 17): the instructor's dashboard for a room of 50 learners, one learner's
//! progress changing at a time: the new snapshot folded (`Dashboard::update`, rows recomputed
//! and sorted) and the frame drawn on a 120x60 TestBackend, event to frame under 100 ms at p99.
//! Side by side: the same frame drawn after a clock tick with nothing new (the baseline), so
//! the ratio shows what a change costs. The read itself (two list calls) is the API server's
//! time, measured by the cluster test, not here.
//!
//! Run: `cargo bench --bench dashboard` (KT_BENCH_REPS=N scales the repetitions).

#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kubetutor::app::dashboard::{DashAction, Dashboard};
use kubetutor::tui::dashboard::draw;
use kubetutor::tui::theme::Theme;
use kubetutor::workshop::progress::{Failing, Progress, Running};
use kubetutor::workshop::status::{Learner, Snapshot};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LEARNERS: usize = 50;
const EVENTS: usize = 500;
const P99: Duration = Duration::from_millis(100);
const NOW: u64 = 1_800_000_000_000;

/// The room after `event` changes: learner `event % 50` moved on a step, some failing.
fn snapshot(event: usize) -> Snapshot {
    let learners: Vec<Learner> = (0..LEARNERS)
        .map(|i| Learner::new(&format!("learner-{i:02}"), &format!("room-learner-{i:02}")))
        .collect();
    let progress = learners
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let step = 1 + (event + i) % 11;
            let p = Progress {
                step,
                steps: 11,
                cells: vec![],
                running: (i % 3 == 0).then(|| Running {
                    id: format!("cell-{step}"),
                    since: NOW - 5_000,
                }),
                failing: (i % 7 == 0).then(|| Failing {
                    id: format!("check-{step}"),
                    since: NOW - (i as u64) * 10_000,
                    output: "pod/redis-master: not ready\n".repeat(20),
                }),
                last_activity: NOW - 2_000,
            };
            (l.namespace.clone(), p)
        })
        .collect();
    Snapshot { learners, progress }
}

fn run(changes: bool) -> Vec<Duration> {
    let theme = Theme::truecolor();
    let mut terminal = Terminal::new(TestBackend::new(120, 60)).expect("terminal");
    let mut dash = Dashboard::new("bench", Some("learner-00"), NOW);
    dash.update(DashAction::Snapshot(snapshot(0)));
    let snapshots: Vec<Snapshot> = (1..=EVENTS).map(snapshot).collect();
    let mut times = Vec::with_capacity(EVENTS);
    for (i, s) in snapshots.into_iter().enumerate() {
        let t = Instant::now();
        if changes {
            dash.update(DashAction::Snapshot(s));
        } else {
            dash.update(DashAction::Tick(NOW + i as u64));
        }
        terminal.draw(|f| draw(f, &dash, &theme)).expect("draw");
        times.push(t.elapsed());
    }
    times
}

fn main() -> ExitCode {
    let reps = support::reps(3);
    let mut budgets = support::Budgets::new();
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        with.extend(run(true));
        without.extend(run(false));
    }
    let (a, b) = (support::p99(with.clone()), support::p99(without));
    println!(
        "dashboard, {LEARNERS} learners, {EVENTS} changes x {reps}: p99 {:.3} ms per change, {:.3} ms per clock tick (ratio {:.2}), median {:.3} ms",
        support::ms(a),
        support::ms(b),
        support::ratio(a, b),
        support::ms(support::median(with)),
    );
    budgets.time("dashboard change to frame, p99", a, P99);
    budgets.finish()
}
