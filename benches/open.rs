//! Budget: opening a lesson is linear in its cells. First frame (read + parse + app + first
//! view + draw at 120x40, as the binary does before its first frame) under 100 ms at 10,000
//! cells and under 1 s at 100,000 (issue 20, item 8: 100k cells took 83 s). Measured next to
//! a baseline run side by side: pulldown-cmark alone walking the same text (linear by
//! construction), so the ratio shows our cost per byte, and the 10x-cells ratio shows
//! whether it stays linear.
//!
//! Run: `cargo bench --bench open` (KT_BENCH_REPS=N repetitions). Exits 1 over budget.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kubetutor::app::App;
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A lesson of `cells` cells, ten per step, as the attack report built it.
fn lesson(cells: usize) -> String {
    let mut md = String::from("---\ntitle: Many cells\n---\n# Many cells\n\n");
    for i in 0..cells {
        if i % 10 == 0 {
            md.push_str(&format!("## Step {}\n\nSome prose.\n\n", i / 10 + 1));
        }
        md.push_str(&format!("```sh\necho cell {i}\n```\n\n"));
    }
    md
}

fn first_frame(path: &Path, source: &str) -> usize {
    let lesson = kubetutor::lesson::parse(path, source).expect("lesson parses");
    let mut view = LessonView::quick(&lesson, Theme { color: true });
    let mut app = App::new(Arc::new(lesson), false);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    screen::frame(&mut terminal, &mut app, &mut view).expect("draw");
    app.cells.len()
}

fn baseline(source: &str) -> usize {
    pulldown_cmark::Parser::new(source)
        .into_offset_iter()
        .count()
}

fn median(reps: usize, mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let reps: usize = std::env::var("KT_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let path = Path::new("/tmp/open-bench/lesson.md");
    let mut over = false;
    let mut per_cell = Vec::new();
    println!("open: first frame (parse + app + view + draw 120x40), median of {reps}");
    for (cells, budget) in [(10_000, 100u64), (100_000, 1000)] {
        let source = lesson(cells);
        let n = first_frame(path, &source);
        assert_eq!(n, cells);
        let base = median(reps, || {
            std::hint::black_box(baseline(&source));
        });
        let ours = median(reps, || {
            std::hint::black_box(first_frame(path, &source));
        });
        let within = ours <= Duration::from_millis(budget);
        over |= !within;
        per_cell.push(ours.as_secs_f64() / cells as f64);
        println!(
            "  {cells:>7} cells ({:>4} KB): baseline pulldown-cmark {:>8.2} ms | first frame {:>8.2} ms ({:.1}x baseline) | budget {budget} ms: {}",
            source.len() / 1024,
            ms(base),
            ms(ours),
            ours.as_secs_f64() / base.as_secs_f64().max(1e-9),
            if within { "within" } else { "OVER" }
        );
    }
    let growth = per_cell[1] / per_cell[0];
    // Linear means the cost per cell stays put; quadratic would make it 10x.
    let linear = growth < 2.0;
    over |= !linear;
    println!(
        "  cost per cell at 100k / at 10k: {growth:.2}x (linear < 2x: {})",
        if linear { "yes" } else { "NO" }
    );
    if over {
        std::process::exit(1);
    }
}
