//! Shared by every bench (all `harness = false`): repetitions, medians, and the budget lines.
//! Each budget prints `budget X measured Y ratio Z`; a bench whose main returns
//! [`Budgets::finish`] exits non-zero when any of them is over, so a slow change cannot pass
//! for a fast one.

use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `KT_BENCH_REPS`, else `default` (at least 1).
pub fn reps(default: usize) -> usize {
    std::env::var("KT_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
        .max(1)
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median of `reps` runs of `f`, after one warm-up run.
pub fn time(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..reps.max(1))
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// The 99th percentile of `v` (sorted in place).
pub fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `a / b`, safe when `b` is zero.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// The budgets a bench checked, and which were over.
#[derive(Default)]
pub struct Budgets {
    over: Vec<String>,
    checked: usize,
}

impl Budgets {
    pub fn new() -> Self {
        Self::default()
    }

    /// A time that must stay at or under `budget`.
    pub fn time(&mut self, what: &str, measured: Duration, budget: Duration) {
        self.at_most(what, ms(measured), ms(budget), "ms");
    }

    /// A value (time, CPU share, ratio to a baseline...) that must stay at or under `budget`.
    pub fn at_most(&mut self, what: &str, measured: f64, budget: f64, unit: &str) {
        self.record(what, measured, budget, unit, measured <= budget);
    }

    /// A value (throughput, ratio to a baseline...) that must reach at least `budget`.
    pub fn at_least(&mut self, what: &str, measured: f64, budget: f64, unit: &str) {
        self.record(what, measured, budget, unit, measured >= budget);
    }

    fn record(&mut self, what: &str, measured: f64, budget: f64, unit: &str, ok: bool) {
        self.checked += 1;
        let verdict = if ok { "ok" } else { "OVER" };
        let line = format!(
            "{what}: budget {budget:.3} {unit} measured {measured:.3} {unit} ratio {:.3} {verdict}",
            measured / budget.abs().max(1e-12)
        );
        println!("  {line}");
        if !ok {
            self.over.push(line);
        }
    }

    /// A budget that could not be measured in this run counts as over: say why.
    pub fn missing(&mut self, what: &str, why: &str) {
        self.checked += 1;
        let line = format!("{what}: not measured ({why}) OVER");
        println!("  {line}");
        self.over.push(line);
    }

    /// The closing line; failure when a budget was over (or none was checked at all).
    pub fn finish(self) -> ExitCode {
        if self.checked == 0 {
            eprintln!("no budget was checked");
            return ExitCode::FAILURE;
        }
        if self.over.is_empty() {
            println!("budgets: all {} within", self.checked);
            return ExitCode::SUCCESS;
        }
        eprintln!("budgets: {} of {} OVER:", self.over.len(), self.checked);
        for line in &self.over {
            eprintln!("  {line}");
        }
        ExitCode::FAILURE
    }
}
