//! Budget (issue 19): 1,000 effects in a burst; for each, the event is folded (`App::update`)
//! and the frame with the cell's effects block drawn on a 110x30 TestBackend, and that
//! event-to-screen time stays under 100 ms at p99. Side by side: the same frame drawn with
//! no effects (the baseline), so the ratio shows what the block costs. Memory: after 10,000
//! more, the cell still lists at most `Attribution::MAX_LISTED` effects and names at most a
//! few dozen items.
//!
//! Run: `cargo bench --bench effects` (KT_BENCH_REPS=N scales the burst's repetitions).

#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kubetutor::app::{Action, App};
use kubetutor::effects::{Attribution, Observed, ObservedKind};
use kubetutor::exec::ExecEvent;
use kubetutor::sentinel::{SentinelEvent, SentinelUpdate};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const BURST: usize = 1_000;
const P99: Duration = Duration::from_millis(100);

fn open() -> (App, LessonView) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/basic.md");
    let source = std::fs::read_to_string(&path).expect("fixture");
    let lesson = kubetutor::lesson::parse(&path, &source).expect("parses");
    let view = LessonView::new(&lesson, Theme::plain());
    let mut app = App::new(Arc::new(lesson), false);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    (app, view)
}

/// Sentinel events and Kubernetes Events, alternating, with many distinct names.
fn effect(i: usize, at: SystemTime) -> Action {
    if i.is_multiple_of(2) {
        let name = format!("+event-{}", i % 40);
        Action::Sentinel(SentinelUpdate::Event {
            endpoint: "127.0.0.1:26479".into(),
            at,
            event: SentinelEvent::new(name, "master mymaster 127.0.0.1 16379"),
        })
    } else {
        let kind = ObservedKind::KubeEvent {
            reason: format!("Reason{i}"),
            message: "bench".into(),
        };
        Action::Observed(Observed::new(at, format!("pod/p{}", i % 97), kind))
    }
}

/// Per event: fold it, draw the frame. Returns each event's time to screen.
fn burst(with_effects: bool) -> Vec<Duration> {
    let (mut app, mut view) = open();
    let mut terminal = Terminal::new(TestBackend::new(110, 30)).expect("terminal");
    let mut times = Vec::with_capacity(BURST);
    for i in 0..BURST {
        let t = Instant::now();
        app.wall = SystemTime::now();
        if with_effects {
            app.update(effect(i, app.wall));
        } else {
            app.update(Action::Tick);
        }
        screen::frame(&mut terminal, &mut app, &mut view).expect("draw");
        times.push(t.elapsed());
    }
    times
}

fn main() -> ExitCode {
    let reps = support::reps(3);
    let mut budgets = support::Budgets::new();
    let mut with = Vec::new();
    let mut without = Vec::new();
    for _ in 0..reps {
        with.extend(burst(true));
        without.extend(burst(false));
    }
    let (a, b) = (support::p99(with.clone()), support::p99(without));
    println!(
        "effects burst of {BURST} x {reps}: p99 {:.3} ms with effects, {:.3} ms baseline (ratio {:.2}), median {:.3} ms",
        support::ms(a),
        support::ms(b),
        support::ratio(a, b),
        support::ms(support::median(with)),
    );
    budgets.time("event to effects line on screen, p99", a, P99);

    let (mut app, _) = open();
    for i in 0..10 * BURST {
        app.update(effect(i, SystemTime::now()));
    }
    let fx = app.effects.cell(0).expect("cell 0 effects");
    let named: usize = fx
        .groups
        .iter()
        .map(|g| g.items.len() + g.hidden.len())
        .sum();
    println!(
        "after {} effects: {} listed, {} counted, {} groups, {} items named or counted",
        10 * BURST,
        fx.list.len(),
        fx.len(),
        fx.groups.len(),
        named
    );
    budgets.at_most(
        "listed effects after 10,000",
        fx.list.len() as f64,
        Attribution::MAX_LISTED as f64,
        "effects",
    );
    budgets.at_most("items kept in the groups", named as f64, 200.0, "items");
    budgets.finish()
}
