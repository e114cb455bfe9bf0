//! Helpers: copy a fixture into a scratch folder, run the binary, read its result.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Lesson {
    pub dir: tempfile::TempDir,
    pub file: PathBuf,
}

/// Copies `tests/fixtures/run/NAME.md` to a fresh folder as `lesson.md` (cells may write files).
pub fn lesson(name: &str) -> Lesson {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/run")
        .join(format!("{name}.md"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lesson.md");
    std::fs::copy(&src, &file).expect("copy fixture");
    Lesson { dir, file }
}

pub fn kubetutor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubetutor"));
    cmd.env("NO_COLOR", "1")
        .env_remove("KUBETUTOR_SKIP_NEEDS")
        .stdin(Stdio::null());
    cmd
}

pub fn run(lesson: &Lesson, args: &[&str]) -> Output {
    run_with(lesson, args, &[])
}

pub fn run_with(lesson: &Lesson, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = kubetutor();
    cmd.arg("run").arg(&lesson.file).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run kubetutor")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The last non-empty line of stdout (the summary).
pub fn last_line(out: &Output) -> String {
    stdout(out)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

/// A sleep duration unique to this test, so the process table can be searched for it.
pub fn marker(seed: u32) -> String {
    format!("{}.{:05}{}", 100 + seed, std::process::id() % 100_000, seed)
}

/// Processes whose command line contains `needle` (other than the searcher itself).
pub fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) {
            found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Waits up to `secs` for no process to mention `needle`; returns what is left.
pub fn wait_gone(needle: &str, secs: u64) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let left = processes_with(needle);
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
