//! Budgets of `kubetutor run`, measured side by side with a baseline in one run (DESIGN §7):
//! - a 20-cell lesson of trivial commands vs the same 20 commands through `bash -c` one after
//!   another (target: at most 1.5x);
//! - a cell printing 100 MB vs `cat` of the same bytes to /dev/null (target: at least 0.5x the
//!   throughput), plus what the same bytes cost on their way to anything but /dev/null: a
//!   file on tmpfs (the cheapest real destination) and a pipe with a reader behind it;
//! - peak memory (VmHWM) of `kubetutor run` during the 100 MB cell.
//!
//! Run: `cargo bench --bench run` (KT_BENCH_REPS=N to change repetitions).

#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use support::{Budgets, median, ms};

const BIN: &str = env!("CARGO_BIN_EXE_kubetutor");
const BYTES: u64 = 100_000_000;

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

fn main() -> ExitCode {
    let reps = support::reps(15);
    let mut budgets = Budgets::new();
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
    budgets.at_most(
        "20 trivial cells / 20x bash -c",
        support::ratio(ours, bash),
        1.5,
        "x",
    );

    let huge = dir.path().join("huge.md");
    let data = dir.path().join("data");
    let piped = format!("cat {} | cat", data.display());
    let piped_dd = format!("cat {} | dd bs=1M of=/dev/null status=none", data.display());
    let tmpfs = tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let to_file = format!("cat {} > {}/copy", data.display(), tmpfs.path().display());
    let times = interleaved(
        reps.min(7),
        &mut [
            &mut || run_quiet(Command::new(BIN).arg("run").arg(&huge)),
            &mut || run_quiet(Command::new("cat").arg(&data)),
            &mut || run_quiet(Command::new("bash").arg("-c").arg(&piped)),
            &mut || run_quiet(Command::new("bash").arg("-c").arg(&piped_dd)),
            &mut || run_quiet(Command::new("bash").arg("-c").arg(&to_file)),
        ],
    );
    let [ours, cat, pipe, pipe_dd, file] = [0, 1, 2, 3, 4].map(|i| times[i]);
    let mbs = |d: Duration| BYTES as f64 / 1e6 / d.as_secs_f64();
    let ratio = |base: Duration, us: Duration| base.as_secs_f64() / us.as_secs_f64();
    println!("100 MB cell (median of {}, best in brackets)", reps.min(7));
    let row = |name: &str, (med, min): (Duration, Duration)| {
        println!(
            "  {name:<28} {:>6.0} MB/s  [{:>6.0}]   ours / this: {:.2}x  [{:.2}x]   this / cat > /dev/null: {:.2}x",
            mbs(med),
            mbs(min),
            ratio(med, ours.0),
            ratio(min, ours.1),
            ratio(cat.0, med),
        );
    };
    row("kubetutor run", ours);
    row("cat file > /dev/null", cat);
    row("cat file | cat > /dev/null", pipe);
    row("cat file | dd bs=1M", pipe_dd);
    row("cat file > file on tmpfs", file);
    println!(
        "  target: ours >= 0.5x of cat > /dev/null. Writes to /dev/null are free; putting the \
         bytes anywhere else (a pipe, even a tmpfs file) costs more than 0.5x on its own"
    );
    budgets.at_least(
        "100 MB cell throughput / cat > /dev/null",
        ratio(cat.0, ours.0),
        0.5,
        "x",
    );
    let peak = peak_rss_kb(Command::new(BIN).arg("run").arg(&huge));
    println!(
        "peak RSS           kubetutor run of the 100 MB cell: {:.1} MB   (load average: {})",
        peak as f64 / 1024.0,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    budgets.finish()
}

/// Times each of `fs` in turn, round after round (so load from other processes hits them
/// alike), after one warm-up each; returns (median, min) per function.
fn interleaved(reps: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<(Duration, Duration)> {
    let mut times = vec![Vec::new(); fs.len()];
    for f in fs.iter_mut() {
        f();
    }
    for _ in 0..reps {
        for (f, t) in fs.iter_mut().zip(&mut times) {
            let start = Instant::now();
            f();
            t.push(start.elapsed());
        }
    }
    times
        .into_iter()
        .map(|t| {
            let min = t.iter().copied().min().unwrap_or_default();
            (median(t), min)
        })
        .collect()
}
