//! Budgets of `kubetutor run`, measured side by side with a baseline in one run (DESIGN §7):
//! - a 20-cell lesson of trivial commands vs the same 20 commands through `bash -c` one after
//!   another (target: at most 1.5x);
//! - a cell printing 100 MB vs `cat` of the same bytes to /dev/null (target: at least 0.5x the
//!   throughput), plus the same bytes through a pipe, for context;
//! - peak memory (VmHWM) of `kubetutor run` during the 100 MB cell.
//!
//! Run: `cargo bench --bench run` (KT_BENCH_REPS=N to change repetitions).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kubetutor");
const BYTES: u64 = 100_000_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times `a` and `b` alternately (so load from other processes hits both alike), after one
/// warm-up each; returns (median a, median b, min a, min b).
fn pair(reps: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> [Duration; 4] {
    a();
    b();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let t = Instant::now();
        a();
        ta.push(t.elapsed());
        let t = Instant::now();
        b();
        tb.push(t.elapsed());
    }
    let (min_a, min_b) = (*ta.iter().min().unwrap(), *tb.iter().min().unwrap());
    [median(ta), median(tb), min_a, min_b]
}

fn commands() -> Vec<String> {
    (0..20)
        .map(|i| {
            if i % 2 == 0 {
                "true".to_string()
            } else {
                format!("echo cell {i}")
            }
        })
        .collect()
}

fn lesson(dir: &Path) -> std::path::PathBuf {
    let mut md = String::from("---\ntitle: Bench\n---\n# Bench\n\n## Twenty cells\n\n");
    for c in commands() {
        md.push_str(&format!("```sh\n{c}\n```\n\n"));
    }
    let huge = format!(
        "---\ntitle: Huge\n---\n# Huge\n\n## Flood\n\n```sh\ncat {}\n```\n",
        dir.join("data").display()
    );
    std::fs::write(dir.join("huge.md"), huge).unwrap();
    let path = dir.join("lesson.md");
    std::fs::write(&path, md).unwrap();
    path
}

fn run_quiet(cmd: &mut Command) {
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{cmd:?} failed");
}

fn peak_rss_kb(cmd: &mut Command) -> u64 {
    let mut child = cmd
        .stdout(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            && let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        {
            peak = peak.max(kb);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    peak
}

fn main() {
    let reps: usize = std::env::var("KT_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let dir = tempfile::tempdir().unwrap();
    let lesson = lesson(dir.path());
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef\n";
    let data: Vec<u8> = line.iter().copied().cycle().take(BYTES as usize).collect();
    std::fs::write(dir.path().join("data"), &data).unwrap();
    drop(data);

    let [ours, bash, ours_min, bash_min] = pair(
        reps,
        || run_quiet(Command::new(BIN).arg("run").arg(&lesson)),
        || {
            for c in commands() {
                run_quiet(Command::new("bash").arg("-c").arg(&c));
            }
        },
    );
    println!(
        "20 trivial cells   kubetutor run {:>7.1} ms   bash -c x20 {:>7.1} ms   ratio {:.2}x (min: {:.1} vs {:.1} ms, {:.2}x)  target <= 1.5x",
        ms(ours),
        ms(bash),
        ours.as_secs_f64() / bash.as_secs_f64(),
        ms(ours_min),
        ms(bash_min),
        ours_min.as_secs_f64() / bash_min.as_secs_f64()
    );

    let huge = dir.path().join("huge.md");
    let data = dir.path().join("data");
    let mbs = |d: Duration| BYTES as f64 / 1e6 / d.as_secs_f64();
    let run_huge = || run_quiet(Command::new(BIN).arg("run").arg(&huge));
    let [ours, cat, ours_min, cat_min] = pair(reps.min(5), run_huge, || {
        run_quiet(Command::new("cat").arg(&data))
    });
    println!(
        "100 MB cell        kubetutor run {:>6.0} MB/s   cat >/dev/null {:>6.0} MB/s   ratio {:.2}x (best: {:.0} vs {:.0} MB/s, {:.2}x)  target >= 0.5x",
        mbs(ours),
        mbs(cat),
        cat.as_secs_f64() / ours.as_secs_f64(),
        mbs(ours_min),
        mbs(cat_min),
        cat_min.as_secs_f64() / ours_min.as_secs_f64()
    );
    let piped = format!("cat {} | cat", data.display());
    let [ours, pipe, ours_min, pipe_min] = pair(reps.min(5), run_huge, || {
        run_quiet(Command::new("bash").arg("-c").arg(&piped))
    });
    println!(
        "  (through a pipe) kubetutor run {:>6.0} MB/s   cat | cat      {:>6.0} MB/s   ratio {:.2}x (best: {:.0} vs {:.0} MB/s, {:.2}x)",
        mbs(ours),
        mbs(pipe),
        pipe.as_secs_f64() / ours.as_secs_f64(),
        mbs(ours_min),
        mbs(pipe_min),
        pipe_min.as_secs_f64() / ours_min.as_secs_f64()
    );
    let peak = peak_rss_kb(Command::new(BIN).arg("run").arg(&huge));
    println!(
        "peak RSS           kubetutor run of the 100 MB cell: {:.1} MB",
        peak as f64 / 1024.0
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
