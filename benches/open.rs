//! Budget: opening a lesson is linear in its cells. First frame (read + parse + app + first
//! view + draw at 120x40, as the binary does before its first frame) under 100 ms at 10,000
//! cells and under 1 s at 100,000 (issue 20, item 8: 100k cells took 83 s). Measured next to
//! a baseline run side by side: pulldown-cmark alone walking the same text (linear by
//! construction), so the ratio shows our cost per byte, and the 10x-cells ratio shows
//! whether it stays linear.
//!
//! Run: `cargo bench --bench open` (KT_BENCH_REPS=N repetitions). Exits 1 over budget.

#[path = "support.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use support::{Budgets, ms, ratio, time};

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
    let mut view = LessonView::quick(&lesson, Theme::dark());
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

fn main() -> ExitCode {
    let reps = support::reps(5);
    let mut budgets = Budgets::new();
    let path = Path::new("/tmp/open-bench/lesson.md");
    let mut per_cell = Vec::new();
    println!("open: first frame (parse + app + view + draw 120x40), median of {reps}");
    for (cells, budget) in [(10_000, 100u64), (100_000, 1000)] {
        let source = lesson(cells);
        let n = first_frame(path, &source);
        assert_eq!(n, cells);
        let base = time(reps, || {
            std::hint::black_box(baseline(&source));
        });
        let ours = time(reps, || {
            std::hint::black_box(first_frame(path, &source));
        });
        per_cell.push(ours.as_secs_f64() / cells as f64);
        println!(
            "  {cells:>7} cells ({:>4} KB): baseline pulldown-cmark {:>8.2} ms | first frame {:>8.2} ms ({:.1}x baseline)",
            source.len() / 1024,
            ms(base),
            ms(ours),
            ratio(ours, base)
        );
        budgets.time(
            &format!("first frame, {cells} cells"),
            ours,
            Duration::from_millis(budget),
        );
    }
    // Linear means the cost per cell stays put; quadratic would make it 10x.
    let growth = per_cell[1] / per_cell[0];
    budgets.at_most("cost per cell at 100k / at 10k (linear)", growth, 2.5, "x");
    budgets.finish()
}
