//! Budgets of the TUI (DESIGN §7), each next to a baseline measured in the same run:
//! - first frame: read + parse a bundled lesson, build the app, lay out, draw 120x40
//!   (target < 50 ms; cold = first time in the process, syntect assets included);
//! - parse + lay out a 5,000-line lesson (target < 20 ms), and re-layout at a new width;
//!   baseline: ratatui's own `Paragraph` wrapping of the same source text;
//! - the output sanitiser on 100 MB of coloured text vs a plain byte copy;
//! - idle CPU over 10 s and RSS of the real binary on each bundled lesson, in tmux, read from
//!   /proc/PID/stat and /proc/PID/status (skipped without tmux).
//!
//! Run: `cargo bench --bench tui` (KT_BENCH_REPS=N repetitions, KT_BENCH_IDLE=0 leaves out the
//! tmux part; without tmux and without that, the bench fails: its budgets were not measured).

#[allow(dead_code)]
#[path = "../tests/support/skip.rs"]
mod skip;
#[allow(dead_code)]
#[path = "support.rs"]
mod support;
#[allow(dead_code)]
#[path = "../tests/support/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kubetutor::app::App;
use kubetutor::app::output::OutputBuffer;
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use support::{Budgets, time};
use tmux::{Launch, Tmux};

#[path = "common/procstat.rs"]
mod procstat;
use procstat::proc_sample;

const BIN: &str = env!("CARGO_BIN_EXE_kubetutor");

const FIRST_FRAME: Duration = Duration::from_millis(50);
const LAYOUT: Duration = Duration::from_millis(20);
/// Idle CPU, in percent of one core.
const IDLE: f64 = 1.0;

fn reps() -> usize {
    support::reps(20)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", support::ms(d))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn first_frame(path: &Path) {
    let source = std::fs::read_to_string(path).expect("lesson readable");
    let lesson = kubetutor::lesson::parse(path, &source).expect("lesson parses");
    // As the binary does: code uncoloured in the first frame, highlighting in the background.
    let mut view = LessonView::quick(&lesson, Theme::dark());
    let mut app = App::new(Arc::new(lesson), false);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    screen::frame(&mut terminal, &mut app, &mut view).expect("draw");
}

/// A synthetic lesson of about `lines` source lines using every block kind.
fn big_lesson(lines: usize) -> String {
    let mut s = String::from(
        "---\ntitle: Big lesson\nsummary: Synthetic, for the layout budget.\n---\nIntro.\n\n",
    );
    let mut step = 0;
    while s.lines().count() < lines {
        step += 1;
        s.push_str(&format!("## Step {step}\n\n"));
        s.push_str("A paragraph with *emphasis*, **strong** text, `code` and a [link](https://example.com) that is long enough to wrap at least once on a normal terminal width, and some 中文字符 too.\n\n");
        s.push_str(
            "- one\n- two\n  1. nested\n  2. nested\n\n> A quote that says something useful.\n\n",
        );
        s.push_str("| name | role | port |\n|---|---|---:|\n| redis-0 | master | 6379 |\n| redis-1 | replica | 6379 |\n\n");
        s.push_str("```yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: redis\n```\n\n");
        s.push_str(&format!(
            "```sh {{id=c{step}}}\nkubectl get pods -o wide\necho done\n```\n\n"
        ));
    }
    s
}

fn bench_first_frame(budgets: &mut Budgets) {
    // Part of the checkout: never skipped.
    let path = root().join("lessons/redis-sentinel-local/lesson.md");
    let t = Instant::now();
    first_frame(&path);
    let cold = t.elapsed();
    let t = Instant::now();
    let source = std::fs::read_to_string(&path).expect("lesson readable");
    let lesson = kubetutor::lesson::parse(&path, &source).expect("lesson parses");
    LessonView::new(&lesson, Theme::dark());
    println!(
        "syntax highlighting of that lesson, cold (background thread): {}",
        ms(t.elapsed())
    );
    let warm = time(reps(), || first_frame(&path));
    println!(
        "first frame (read+parse+layout+draw 120x40): cold {} | warm {} (budget 50 ms)",
        ms(cold),
        ms(warm)
    );
    budgets.time("first frame in process, cold", cold, FIRST_FRAME);
}

fn bench_layout(budgets: &mut Budgets) {
    let source = big_lesson(5_000);
    let path = Path::new("/tmp/big.md");
    let n = source.lines().count();
    let lesson = kubetutor::lesson::parse(path, &source).expect("parses");
    let parse = time(reps(), || {
        kubetutor::lesson::parse(path, &source).expect("parses");
    });
    let theme = Theme::dark();
    let prepare = time(reps(), || {
        LessonView::quick(&lesson, theme);
    });
    let highlighted = time(reps(), || {
        LessonView::new(&lesson, theme);
    });
    let mut view = LessonView::quick(&lesson, theme);
    let mut width = 100;
    let relayout = time(reps(), || {
        width = if width == 100 { 101 } else { 100 };
        view.layout(width, None);
    });
    let total = parse + prepare + relayout;
    let baseline = time(reps(), || {
        let area = ratatui::layout::Rect::new(0, 0, 100, 40);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        Paragraph::new(source.as_str())
            .wrap(Wrap { trim: false })
            .render(area, &mut buf);
    });
    println!(
        "{n}-line lesson: parse {} + prepare {} + layout {} = {} (budget 20 ms)",
        ms(parse),
        ms(prepare),
        ms(relayout),
        ms(total)
    );
    println!(
        "  syntax highlighting of all its code (background, after the first frame): {}",
        ms(highlighted)
    );
    println!(
        "  baseline ratatui Paragraph wrap of the raw text: {} (layout/baseline = {:.2}x)",
        ms(baseline),
        relayout.as_secs_f64() / baseline.as_secs_f64()
    );
    budgets.time("parse + prepare + layout of 5,000 lines", total, LAYOUT);
}

fn bench_sanitiser() {
    let coloured =
        b"\x1b[32mINFO\x1b[0m 2026-01-01T00:00:00Z replication offset 123456 \x1b[1mok\x1b[0m\r\n";
    let plain = b"INFO 2026-01-01T00:00:00Z replication offset 123456 ok, nothing special here\n";
    let total = 100_000_000usize;
    let mbs = |d: Duration| total as f64 / 1e6 / d.as_secs_f64();
    for (name, line) in [
        ("coloured (4 SGR/line)", &coloured[..]),
        ("plain", &plain[..]),
    ] {
        let chunk: Vec<u8> = line.iter().copied().cycle().take(64 * 1024).collect();
        let t = Instant::now();
        let mut buf = OutputBuffer::new();
        for _ in 0..total / chunk.len() {
            buf.push(&chunk);
        }
        let sanitise = t.elapsed();
        println!(
            "sanitiser 100 MB {name}: {:.0} MB/s (kept {} lines, dropped {})",
            mbs(sanitise),
            buf.len(),
            buf.dropped()
        );
    }
    let chunk = vec![b'x'; 64 * 1024];
    let t = Instant::now();
    let mut sink = Vec::with_capacity(chunk.len());
    for _ in 0..total / chunk.len() {
        sink.clear();
        sink.extend_from_slice(std::hint::black_box(&chunk));
    }
    println!(
        "  baseline memcpy of the same bytes: {:.0} MB/s",
        mbs(t.elapsed())
    );
}

/// The app's pid: the pane's process itself (`exec`), else the kubetutor below it.
fn app_pid(tmux: &Tmux) -> Option<u32> {
    let pane = tmux.pane_pid();
    let comm = std::fs::read_to_string(format!("/proc/{pane}/comm")).unwrap_or_default();
    if comm.trim() == "kubetutor" {
        return Some(pane);
    }
    tmux::descendants(pane)
        .into_iter()
        .find(|(_, cmd)| cmd.contains("kubetutor"))
        .map(|(pid, _)| pid)
}

fn bench_idle(slug: &str, budgets: &mut Budgets) {
    let frame = format!("first frame on a real terminal, {slug}");
    let idle = format!("idle CPU over 10 s, {slug}");
    if !tmux::installed() {
        let why = "no tmux: install it (scripts/deps) or set KT_BENCH_IDLE=0";
        budgets.missing(&frame, why);
        budgets.missing(&idle, why);
        return;
    }
    let state = tempfile::tempdir().expect("tempdir");
    let cmd = format!(
        "cd {} && XDG_STATE_HOME={} exec {BIN} {slug}",
        root().display(),
        state.path().display()
    );
    // From asking tmux for the session to the status bar on screen: includes tmux, process
    // start and polling every 2 ms.
    let started = Instant::now();
    let tmux = Tmux::launch(Launch::line(&cmd));
    let shown = tmux.poll(Duration::from_secs(5), Duration::from_millis(2), |s| {
        s.contains("step 1/")
    });
    match shown {
        Ok(_) => budgets.time(&frame, started.elapsed(), FIRST_FRAME),
        Err(_) => budgets.missing(&frame, "not on screen within 5 s"),
    }
    std::thread::sleep(Duration::from_secs(2));
    let Some(pid) = app_pid(&tmux) else {
        budgets.missing(&idle, "the app did not start");
        return;
    };
    let hz = 100.0; // USER_HZ on Linux
    let start = proc_sample(pid);
    std::thread::sleep(Duration::from_secs(10));
    let end = proc_sample(pid);
    let (Some((t0, _, _)), Some((t1, rss, hwm))) = (start, end) else {
        budgets.missing(&idle, "the app exited while idle");
        return;
    };
    let cpu = (t1 - t0) as f64 / hz / 10.0 * 100.0;
    println!(
        "idle 10 s, {slug}: RSS {} MiB, peak {} MiB",
        rss / 1024,
        hwm / 1024
    );
    budgets.at_most(&idle, cpu, IDLE, "% of one core");
    tmux.send(&["q"]);
    std::thread::sleep(Duration::from_millis(500));
}

fn main() -> ExitCode {
    let mut budgets = Budgets::new();
    bench_first_frame(&mut budgets);
    bench_layout(&mut budgets);
    bench_sanitiser();
    if std::env::var("KT_BENCH_IDLE").as_deref() != Ok("0") {
        for slug in ["redis-sentinel-local", "redis-sentinel-k8s"] {
            bench_idle(slug, &mut budgets);
        }
    }
    budgets.finish()
}
