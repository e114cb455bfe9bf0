//! Budget: memory stays under 100 MB whatever a cell prints (issue 20, item 3: 800 KB of
//! `\e[1m` reached 1.6 GB, a coloured logger 2.1 GB, because every SGR was kept as text and
//! copied to every later line). Each stream goes through what the TUI does with output, in
//! the same process: `App::update` with the engine's Output events (64 KiB chunks, as the
//! engine coalesces them), a frame drawn every 256 chunks (120x40 TestBackend). A counting
//! allocator gives the peak of live heap per stream; the baseline, run side by side, is
//! plain text of the same size (`seq`), so the ratio shows what colour codes cost on top.
//! With tmux, the same streams also run in the real binary and its VmHWM is read from /proc.
//!
//! Run: `cargo bench --bench memory` (KT_BENCH_MB=N sizes the big streams, default 100;
//! KT_BENCH_TMUX=0 skips the real binary). Exits 1 over budget.

#[path = "support.rs"]
#[allow(dead_code)]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Stream};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::screen;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const BUDGET_MB: f64 = 100.0;
const CHUNK: usize = 64 << 10;
const LESSON: &str = "# Memory\n\n## Step 1\n\n```sh\nnoisy\n```\n";

/// A stream: a name and a producer of its chunks.
type Source = Box<dyn FnMut() -> Option<Vec<u8>>>;

fn repeat(total: usize, mut line: impl FnMut(usize) -> String + 'static) -> Source {
    let (mut sent, mut i) = (0, 0);
    Box::new(move || {
        if sent >= total {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK + 256);
        while chunk.len() < CHUNK {
            chunk.extend_from_slice(line(i).as_bytes());
            i += 1;
        }
        sent += chunk.len();
        Some(chunk)
    })
}

fn once(bytes: Vec<u8>) -> Source {
    let mut chunks: Vec<Vec<u8>> = bytes.chunks(CHUNK).map(<[u8]>::to_vec).collect();
    chunks.reverse();
    Box::new(move || chunks.pop())
}

fn urandom(total: usize) -> Source {
    let mut file = std::fs::File::open("/dev/urandom").expect("/dev/urandom");
    let mut sent = 0;
    Box::new(move || {
        if sent >= total {
            return None;
        }
        let mut chunk = vec![0; CHUNK];
        file.read_exact(&mut chunk).expect("read /dev/urandom");
        sent += CHUNK;
        Some(chunk)
    })
}

fn streams(mb: usize) -> Vec<(&'static str, Source)> {
    let big = mb << 20;
    let mut bomb = "\x1b[1m".repeat(200_000).into_bytes();
    bomb.extend((1..=2000).flat_map(|i| format!("{i}\n").into_bytes()));
    vec![
        (
            "baseline: plain lines (seq)",
            repeat(big, |i| format!("{i}\n")),
        ),
        ("SGR bomb (report: 200k x ESC[1m)", once(bomb)),
        (
            "SGR bomb, 100 MB of ESC[1m only",
            repeat(big, |_| "\x1b[1m".into()),
        ),
        (
            "coloured logger (report: INFO lines)",
            repeat(big, |i| format!("\x1b[32mINFO\x1b[39m line {i}\n")),
        ),
        (
            "a new truecolor per character",
            repeat(big, |i| {
                format!(
                    "\x1b[38;2;{};{};{}m\x1b[4{}mx",
                    i % 256,
                    i / 7 % 256,
                    i / 3 % 256,
                    i % 8
                ) + if i % 200 == 199 { "\n" } else { "" }
            }),
        ),
        (
            "SGR with no newline ever",
            repeat(big, |i| format!("\x1b[3{}mword ", i % 8)),
        ),
        ("yes", repeat(big, |_| "y\n".into())),
        ("/dev/urandom", urandom(big)),
    ]
}

/// Peak live heap (bytes) while the app takes the whole stream, drawing now and then.
fn peak_while(app: &mut App, view: &mut LessonView, mut source: Source) -> usize {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let start = LIVE.load(Ordering::Relaxed);
    let mut n = 0;
    while let Some(bytes) = source() {
        let output = ExecEvent::Output {
            cell: 0,
            stream: Stream::Stdout,
            bytes,
        };
        app.update(Action::Exec(output));
        n += 1;
        if n % 256 == 0 {
            screen::frame(&mut terminal, app, view).expect("draw");
        }
    }
    screen::frame(&mut terminal, app, view).expect("draw");
    PEAK.load(Ordering::Relaxed).saturating_sub(start)
}

fn main() -> ExitCode {
    let mut budgets = support::Budgets::new();
    let mb: usize = std::env::var("KT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let path = Path::new("/tmp/memory-bench/lesson.md");
    let lesson = Arc::new(kubetutor::lesson::parse(path, LESSON).expect("lesson parses"));
    let mut baseline = 1.0;
    println!("memory: peak live heap while the app takes a cell's output ({mb} MB streams)");
    for (name, source) in streams(mb) {
        let mut app = App::new(lesson.clone(), false);
        let mut view = LessonView::quick(&lesson, Theme::dark());
        let peak = peak_while(&mut app, &mut view, source) as f64 / (1 << 20) as f64;
        if name.starts_with("baseline") {
            baseline = peak.max(1e-3);
        }
        println!(
            "  {name:<38} peak {peak:>7.2} MB ({:>5.2}x baseline)",
            peak / baseline
        );
        budgets.at_most(&format!("peak heap, {name}"), peak, BUDGET_MB, "MB");
    }
    if std::env::var("KT_BENCH_TMUX").as_deref() != Ok("0") {
        match real_binary(mb) {
            Ok(hwm) => budgets.at_most("VmHWM of the real binary in tmux", hwm, BUDGET_MB, "MB"),
            Err(why) => budgets.missing("VmHWM of the real binary in tmux", &why),
        }
    }
    budgets.finish()
}

/// The same streams printed by real cells in the real binary in tmux: its VmHWM in MB.
fn real_binary(mb: usize) -> Result<f64, String> {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        return Err("no tmux".into());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let secs = (mb / 25).max(2);
    let cells = [
        (
            "bomb",
            r"printf '\e[1m%.0s' $(seq 200000); seq 2000".to_string(),
        ),
        (
            "logger",
            r"for i in $(seq 100000); do printf '\e[32mINFO\e[39m line %d\n' $i; done".to_string(),
        ),
        ("yes", format!("timeout {secs} yes || true")),
        (
            "urandom",
            format!("timeout {secs} cat /dev/urandom || true"),
        ),
    ];
    let mut md = String::from("# Memory\n\n## Step 1\n\n");
    for (id, code) in &cells {
        md.push_str(&format!("```sh {{id={id}}}\n{code}\n```\n\n"));
    }
    let lesson = dir.path().join("lesson.md");
    std::fs::write(&lesson, md).expect("write lesson");
    let hwm = tmux_run(dir.path(), &lesson, cells.len())
        .ok_or_else(|| "could not drive tmux".to_string())?;
    println!("  real binary in tmux, all four cells in turn (bomb, logger, yes, urandom):");
    Ok(hwm as f64 / 1024.0)
}

fn tmux_run(dir: &Path, lesson: &Path, cells: usize) -> Option<u64> {
    use std::process::Command;
    use std::time::{Duration, Instant};
    let socket = format!("kt-memory-bench-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    let cmd = format!(
        "env XDG_STATE_HOME={} {bin} {}",
        dir.display(),
        lesson.display()
    );
    // Tall enough for all four cells with their folded output.
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "120",
        "-s",
        "m",
        &cmd,
    ])?;
    let pane: u32 = tmux(&["display-message", "-p", "-t", "m", "#{pane_pid}"])?
        .trim()
        .parse()
        .ok()?;
    let pid = kubetutor_under(pane)?;
    let screen = || tmux(&["capture-pane", "-p", "-t", "m"]).unwrap_or_default();
    let wait = |text: &str, n: usize, limit: Duration| {
        let deadline = Instant::now() + limit;
        while screen().matches(text).count() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        screen().matches(text).count() >= n
    };
    let mut ok = wait("Step 1", 1, Duration::from_secs(20));
    // Run every cell of the step (`a`), then wait for all of them to pass.
    tmux(&["send-keys", "-t", "m", "a"]);
    ok &= wait("✓ passed", cells, Duration::from_secs(600));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok());
    tmux(&["send-keys", "-t", "m", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    let sock = tmux(&["display-message", "-p", "#{socket_path}"]).unwrap_or_default();
    tmux(&["kill-server"]);
    let _ = std::fs::remove_file(sock.trim());
    if !ok {
        println!(
            "  real binary: the cells did not all pass on screen:\n{}",
            screen()
        );
    }
    hwm.filter(|_| ok)
}

/// The kubetutor process: the pane's process itself, or its child when a shell stayed.
fn kubetutor_under(pane: u32) -> Option<u32> {
    let comm = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    for _ in 0..100 {
        if comm(pane).trim() == "kubetutor" {
            return Some(pane);
        }
        let child = std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let ppid: u32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == pane && comm(pid).trim() == "kubetutor").then_some(pid)
        });
        if child.is_some() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    None
}
