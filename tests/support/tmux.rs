//! A private tmux server for end-to-end tests of the real binary on a real (virtual)
//! terminal, and helpers to find the processes under its pane. Shared by the test binaries
//! that drive the TUI (`tests/tui.rs`, `tests/hardening.rs`).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub(crate) const PROMPT: &str = "KTPROMPT$";

/// A private tmux server with one 120x40 session running a plain bash; killed on drop.
pub(crate) struct Tmux {
    socket: String,
    pub(crate) state: tempfile::TempDir,
}

impl Tmux {
    pub(crate) fn start() -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            // Under CI a missing tmux is a failure, never a silent pass.
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is not installed (scripts/deps installs it)"
            );
            eprintln!("tmux not installed: skipping end-to-end test");
            return None;
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "kt-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let state = tempfile::tempdir().expect("tempdir");
        let tmux = Self { socket, state };
        let shell = format!(
            "env -i PATH=\"$PATH\" TERM=xterm-256color HOME=\"$HOME\" PS1='{PROMPT} ' bash --norc --noprofile"
        );
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            "t",
            &shell,
        ]);
        tmux.wait_for(PROMPT);
        Some(tmux)
    }

    pub(crate) fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        self.run(&args);
    }

    pub(crate) fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", "t", "-l", line]);
        self.send(&["Enter"]);
    }

    pub(crate) fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    pub(crate) fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Wait until nothing runs under the shell any more (the app exited).
    pub(crate) fn wait_exit(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !descendants(self.pane_pid()).is_empty() {
            assert!(
                Instant::now() < deadline,
                "kubetutor did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.state.path().join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // kill-server leaves the socket file behind; remove it too.
        let socket = self.run(&["display-message", "-p", "#{socket_path}"]);
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
        if !socket.trim().is_empty() {
            let _ = std::fs::remove_file(socket.trim());
        }
    }
}

/// Every process below `root` (by walking /proc parent links), with its command line.
pub(crate) fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut procs = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command may contain spaces and parentheses: the fields start after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let ppid: u32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd)
            .replace('\0', " ")
            .trim()
            .to_string();
        procs.push((pid, ppid, cmd));
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid, cmd) in &procs {
            if *ppid == parent {
                out.push((*pid, cmd.clone()));
                frontier.push(*pid);
            }
        }
    }
    out
}

/// Waits (up to 10 s) until processes running exactly `command` appear under the pane.
pub(crate) fn wait_for_descendants(tmux: &Tmux, command: &str) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found: Vec<u32> = descendants(tmux.pane_pid())
            .into_iter()
            .filter(|(_, cmd)| cmd == command)
            .map(|(pid, _)| pid)
            .collect();
        if !found.is_empty() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{command} never appeared under the pane"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

