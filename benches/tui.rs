//! Budgets of the TUI (DESIGN §7), each next to a baseline measured in the same run:
//! - first frame: read + parse a bundled lesson, build the app, lay out, draw 120x40
//!   (target < 50 ms; cold = first time in the process, syntect assets included);
//! - parse + lay out a 5,000-line lesson (target < 20 ms), and re-layout at a new width;
//!   baseline: ratatui's own `Paragraph` wrapping of the same source text;
//! - the output sanitiser on 100 MB of coloured text vs a plain byte copy;
//! - idle CPU over 10 s and RSS of the real binary on each bundled lesson, in tmux, read from
//!   /proc/PID/stat and /proc/PID/status (skipped without tmux).
//!
//! Run: `cargo bench --bench tui` (KT_BENCH_REPS=N repetitions, KT_BENCH_IDLE=0 skips idle).

use std::path::{Path, PathBuf};
use std::process::Command;
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

#[path = "common/procstat.rs"]
mod procstat;
use procstat::proc_sample;

const BIN: &str = env!("CARGO_BIN_EXE_kubetutor");

fn reps() -> usize {
    std::env::var("KT_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(reps: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn first_frame(path: &Path) {
    let source = std::fs::read_to_string(path).expect("lesson readable");
    let lesson = kubetutor::lesson::parse(path, &source).expect("lesson parses");
    // As the binary does: code uncoloured in the first frame, highlighting in the background.
    let mut view = LessonView::quick(&lesson, Theme { color: true });
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

fn bench_first_frame() {
    let path = root().join("lessons/redis-sentinel-local/lesson.md");
    if !path.exists() {
        println!("first frame: skipped ({} missing)", path.display());
        return;
    }
    let t = Instant::now();
    first_frame(&path);
    let cold = t.elapsed();
    let t = Instant::now();
    let source = std::fs::read_to_string(&path).expect("lesson readable");
    let lesson = kubetutor::lesson::parse(&path, &source).expect("lesson parses");
    LessonView::new(&lesson, Theme { color: true });
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
}

fn bench_layout() {
    let source = big_lesson(5_000);
    let path = Path::new("/tmp/big.md");
    let n = source.lines().count();
    let lesson = kubetutor::lesson::parse(path, &source).expect("parses");
    let parse = time(reps(), || {
        kubetutor::lesson::parse(path, &source).expect("parses");
    });
    let theme = Theme { color: true };
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

fn find_child(parent: u32, name: &str) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok());
        if ppid == Some(parent) && stat.contains(&format!("({name})")) {
            return Some(pid);
        }
    }
    None
}

/// Stop a tmux server and remove its socket file (kill-server leaves it behind).
fn kill(tmux: &dyn Fn(&[&str]) -> std::io::Result<std::process::Output>) {
    let socket = tmux(&["display-message", "-p", "#{socket_path}"])
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let _ = tmux(&["kill-server"]);
    if !socket.is_empty() {
        let _ = std::fs::remove_file(socket);
    }
}

fn bench_idle(slug: &str) {
    let socket = format!("kt-bench-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
    };
    let state = tempfile::tempdir().expect("tempdir");
    let cmd = format!(
        "cd {} && XDG_STATE_HOME={} exec {BIN} {slug}",
        root().display(),
        state.path().display()
    );
    let started = Instant::now();
    if tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "b",
        &cmd,
    ])
    .is_err()
    {
        println!("idle CPU: skipped (no tmux)");
        return;
    }
    // Real first frame: from asking tmux for the session to the status bar being on screen
    // (includes tmux, process start and polling every 2 ms).
    let shown = loop {
        let screen = tmux(&["capture-pane", "-p", "-t", "b"])
            .map(|o| o.stdout)
            .unwrap_or_default();
        if String::from_utf8_lossy(&screen).contains("step 1/") {
            break Some(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(5) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    match shown {
        Some(d) => println!(
            "first frame on a real terminal, {slug} (tmux, from spawn): {}",
            ms(d)
        ),
        None => println!("first frame on a real terminal, {slug}: not seen within 5 s"),
    }
    std::thread::sleep(Duration::from_secs(2));
    let pane: Option<u32> = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok());
    // `exec` makes the pane's process the app itself.
    let pid = pane
        .filter(|p| proc_sample(*p).is_some())
        .or_else(|| pane.and_then(|p| find_child(p, "kubetutor")));
    let Some(pid) = pid else {
        println!("idle CPU {slug}: app did not start");
        kill(&tmux);
        return;
    };
    let hz = 100.0; // USER_HZ on Linux
    let start = proc_sample(pid);
    std::thread::sleep(Duration::from_secs(10));
    let end = proc_sample(pid);
    if let (Some((t0, _, _)), Some((t1, rss, hwm))) = (start, end) {
        let cpu = (t1 - t0) as f64 / hz / 10.0 * 100.0;
        println!(
            "idle 10 s, {slug}: {cpu:.2}% of one core (budget 1%); RSS {} MiB, peak {} MiB",
            rss / 1024,
            hwm / 1024
        );
    }
    let _ = tmux(&["send-keys", "-t", "b", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    kill(&tmux);
}

fn main() {
    bench_first_frame();
    bench_layout();
    bench_sanitiser();
    if std::env::var("KT_BENCH_IDLE").as_deref() != Ok("0") {
        for slug in ["redis-sentinel-local", "redis-sentinel-k8s"] {
            bench_idle(slug);
        }
    }
}
