//! Budget: `check` is linear and takes under 100 ms for any lesson under 1 MB (issue 20,
//! item 7: 8,000 attributes on one fence took 12 s and 1.27 GB; 4,000 unset variables printed
//! 161 MB). Each hostile lesson is timed with the rendering of its report (what `kubetutor
//! check` prints), next to a baseline run side by side: pulldown-cmark walking the same text.
//! A 10x bigger version of each shape shows whether the cost per byte stays put.
//!
//! Run: `cargo bench --bench check` (KT_BENCH_REPS=N repetitions). Exits 1 over budget.

#[path = "support.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use kubetutor::lesson::check::{Report, check_source};
use support::{Budgets, ms, ratio, time};

const BUDGET: Duration = Duration::from_millis(100);

fn fence(info: &str, code: &str) -> String {
    format!("# T\n\n## S\n\n```sh {{{info}}}\n{code}\n```\n")
}

/// Hostile shapes, each built to about `bytes` bytes.
fn shapes(bytes: usize) -> Vec<(&'static str, String)> {
    let n = |unit: usize| bytes / unit;
    vec![
        (
            "attributes on one fence",
            fence(&"a=b ".repeat(n(4)), "echo hi"),
        ),
        (
            "bad values on one fence",
            fence(&"retry=x ".repeat(n(8)), "echo hi"),
        ),
        (
            "unset variables on one line",
            fence(
                "",
                &format!(
                    "echo {}",
                    (0..n(7)).map(|i| format!("$V{i} ")).collect::<String>()
                ),
            ),
        ),
        (
            "unset variables, one per line",
            fence(
                "",
                &(0..n(12))
                    .map(|i| format!("echo $V{i}\n"))
                    .collect::<String>(),
            ),
        ),
        ("near misses of set variables", {
            let k = n(40);
            let defs: String = (0..k).map(|i| format!("export NAME{i}=1\n")).collect();
            let uses: String = (0..k).map(|i| format!("echo $NAMX{i}\n")).collect();
            format!("# T\n\n## S\n\n```sh\n{defs}```\n\n```sh\n{uses}```\n")
        }),
        (
            "control bytes on a reported line",
            fence(
                &format!("{} retry=abc", "\x1b]0;x\x07\u{9b}2J".repeat(n(10))),
                "echo hi",
            ),
        ),
        ("a realistic lesson", realistic(bytes)),
    ]
}

fn realistic(bytes: usize) -> String {
    let mut md = String::from("---\ntitle: Bench\n---\n# Bench\n\n");
    let mut step = 0;
    while md.len() < bytes {
        step += 1;
        md.push_str(&format!(
            "## Step {step}\n\nProse about `kubectl`, **pods** and [links](https://k8s.io).\n\n```sh {{id=c{step} timeout=30s}}\nkubectl apply -f pod-{step}.yaml\necho \"$POD_{step}\"\n```\n\n```sh {{capture=POD_{step}}}\nkubectl get pods -o name\n```\n\n"
        ));
    }
    md
}

fn check(path: &Path, md: &str) -> (usize, usize) {
    let report = Report {
        diagnostics: check_source(path, md),
        files: 1,
    };
    let text = report.render(false);
    (report.diagnostics.len(), text.len())
}

fn main() -> ExitCode {
    let reps = support::reps(5);
    let mut budgets = Budgets::new();
    let path = Path::new("/tmp/check-bench/lesson.md");
    let small = shapes(100 << 10);
    // Every shape stays under 1 MiB, where the budget applies.
    let big = shapes(900 << 10);
    println!("check: parse + lint + render the report, median of {reps} (budget 100 ms, < 1 MB)");
    for ((name, s), (_, b)) in small.iter().zip(&big) {
        let mut per_byte = Vec::new();
        for md in [s, b] {
            let base = time(reps, || {
                std::hint::black_box(pulldown_cmark::Parser::new(md).count());
            });
            let (mut found, mut printed) = (0, 0);
            let ours = time(reps, || (found, printed) = check(path, md));
            per_byte.push(ours.as_secs_f64() / md.len() as f64);
            println!(
                "  {name:<34} {:>5} KB: baseline {:>7.2} ms | check {:>7.2} ms ({:>5.1}x) | {found:>5} findings, {:>6} KB printed",
                md.len() / 1024,
                ms(base),
                ms(ours),
                ratio(ours, base),
                printed / 1024,
            );
            if md.len() < 1 << 20 {
                budgets.time(&format!("{name}, {} KB", md.len() / 1024), ours, BUDGET);
            }
        }
        let growth = per_byte[1] / per_byte[0];
        budgets.at_most(
            &format!("{name}: cost per byte 900 KB / 100 KB (linear)"),
            growth,
            2.5,
            "x",
        );
    }
    budgets.finish()
}
