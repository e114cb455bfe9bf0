//! Budget: parsing a 5,000-line lesson takes under 20 ms (DESIGN §7). Measured side by side
//! with a baseline, pulldown-cmark alone walking the same text, so the ratio shows what our
//! model building costs on top. `check` (parse + lint) is reported too, for context.
//!
//! Run: `cargo bench --bench parse` (KT_BENCH_REPS=N to change repetitions).

#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kubetutor::lesson::check::check_source;
use kubetutor::lesson::parse;
use support::{Budgets, ms, ratio, time};

const BUDGET: Duration = Duration::from_millis(20);

/// A realistic lesson: front matter, steps with prose, lists, tables, quotes, YAML blocks,
/// and shell cells with attributes and hints, repeated to `lines` lines.
fn lesson(lines: usize) -> String {
    let mut md = String::from(
        "---\ntitle: Bench\nsummary: A long lesson.\nnamespace: bench\nrequires: [kubectl]\n---\n# Bench\n\nIntro with *emphasis*, **strong** and a [link](https://example.com).\n\n",
    );
    let mut step = 0;
    while md.lines().count() < lines {
        step += 1;
        md.push_str(&format!(
            "## Step {step}: deploy the thing\n\nSome prose about `kubectl` and **pods**, with a [link](https://k8s.io) and ~~old~~ text.\nIt wraps over two lines, 中文也可以。\n\n- first item with `code`\n- second item\n  - nested item\n\n| name | role |\n|------|------|\n| redis-0 | master |\n| redis-1 | replica |\n\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: redis-{step}\n```\n\n```sh {{id=create-{step}}}\nkubectl apply -f pod.yaml\n```\n> Hint: check the namespace.\n\n```sh {{capture=POD{step}}}\nkubectl get pods -o jsonpath='{{.items[0].metadata.name}}'\n```\n\n```sh {{verify=true retry=60s interval=2s}}\ntest \"$(kubectl get pods -o name | wc -l)\" -eq 3 && echo \"$POD{step}\"\n```\n\n"
        ));
    }
    md
}

fn main() -> ExitCode {
    let reps = support::reps(200);
    let md = lesson(5000);
    let path = Path::new("bench/lesson.md");
    let lines = md.lines().count();
    let lesson = parse(path, &md).expect("the bench lesson is valid");
    let cells = lesson.cells().len();

    let baseline = time(reps, || {
        let opts =
            pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
        let n = pulldown_cmark::Parser::new_ext(&md, opts)
            .into_offset_iter()
            .count();
        std::hint::black_box(n);
    });
    let ours = time(reps, || {
        std::hint::black_box(parse(path, &md).map(|l| l.steps.len()).unwrap_or(0));
    });
    let check = time(reps / 4 + 1, || {
        std::hint::black_box(check_source(path, &md).len());
    });

    println!(
        "parse: {lines}-line lesson, {} steps, {cells} cells, {} bytes; median of {reps} runs",
        lesson.steps.len(),
        md.len()
    );
    println!(
        "  pulldown-cmark events only (baseline) {:>9.3} ms",
        ms(baseline)
    );
    println!(
        "  lesson::parse                         {:>9.3} ms  ({:.2}x baseline)",
        ms(ours),
        ratio(ours, baseline)
    );
    println!(
        "  lesson::check_source (parse + lint)   {:>9.3} ms",
        ms(check)
    );
    let mut budgets = Budgets::new();
    budgets.time("parse a 5,000-line lesson", ours, BUDGET);
    budgets.finish()
}
