//! The one tmux harness, for tests/tui, tests/cluster and benches/tui.rs: a private tmux server
//! per session (its own socket, no user config), keys in, screen out, waits that poll against a
//! deadline, and the processes under the pane. Everything is killed when the `Tmux` drops.
//!
//! A crate that includes this file includes `support/skip.rs` as `mod skip` too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The prompt of [`Launch::shell`]'s bash, to wait for.
pub const PROMPT: &str = "KTPROMPT$";

/// The session every command targets.
const TARGET: &str = "t";

/// What to start: a terminal of `width` x `height` running `command` (a shell line).
#[derive(Debug, Clone)]
pub struct Launch {
    pub width: u16,
    pub height: u16,
    pub cwd: Option<PathBuf>,
    pub command: String,
}

impl Launch {
    /// A plain bash showing [`PROMPT`] on a 120x40 xterm-256color, with only PATH and HOME kept.
    pub fn shell() -> Self {
        Self::line(&format!(
            "env -i PATH=\"$PATH\" TERM=xterm-256color HOME=\"$HOME\" PS1='{PROMPT} ' bash --norc --noprofile"
        ))
    }

    /// `line` run by tmux's shell on 120x40.
    pub fn line(line: &str) -> Self {
        Self {
            width: 120,
            height: 40,
            cwd: None,
            command: line.to_string(),
        }
    }

    /// `command`'s program, arguments, environment and directory, quoted for tmux's shell.
    pub fn command(command: &Command) -> Self {
        // Removed variables first: tmux's server passes its own environment on.
        let mut line = String::from("env");
        for (k, _) in command.get_envs().filter(|(_, v)| v.is_none()) {
            line.push_str(&format!(" -u {}", quote(k)));
        }
        for (k, v) in command.get_envs() {
            if let Some(v) = v {
                line.push_str(&format!(" {}={}", quote(k), quote(v)));
            }
        }
        line.push(' ');
        line.push_str(&quote(command.get_program()));
        for a in command.get_args() {
            line.push(' ');
            line.push_str(&quote(a));
        }
        Self {
            cwd: command.get_current_dir().map(Path::to_path_buf),
            ..Self::line(&line)
        }
    }

    pub fn size(mut self, width: u16, height: u16) -> Self {
        self.width = width;
        self.height = height;
        self
    }
}

fn quote(s: &std::ffi::OsStr) -> String {
    format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"))
}

/// Whether a tmux binary runs.
pub fn installed() -> bool {
    Command::new("tmux").arg("-V").output().is_ok()
}

/// A private tmux server with one session; killed on drop (with everything running in it).
pub struct Tmux {
    socket: String,
    /// A scratch directory living as long as the session (XDG_STATE_HOME, stty dumps...).
    pub state: tempfile::TempDir,
}

impl Tmux {
    /// [`Launch::shell`], once its prompt is up. None (a skip, a failure under CI) without tmux.
    #[track_caller]
    pub fn start() -> Option<Self> {
        crate::skip::needs(installed().then_some(()), "tmux (scripts/deps installs it)")?;
        let tmux = Self::launch(Launch::shell());
        tmux.wait_for(PROMPT);
        Some(tmux)
    }

    /// Starts `launch`; panics when tmux is missing or refuses (callers that may skip check
    /// [`installed`] first).
    pub fn launch(launch: Launch) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let socket = format!("kt-test-{}-{n}", std::process::id());
        let tmux = Self {
            socket,
            state: tempfile::tempdir().expect("tempdir"),
        };
        let (w, h) = (launch.width.to_string(), launch.height.to_string());
        let mut args = vec!["new-session", "-d", "-x", &w, "-y", &h, "-s", TARGET];
        let cwd = launch.cwd.as_ref().map(|c| c.display().to_string());
        if let Some(cwd) = &cwd {
            args.extend(["-c", cwd]);
        }
        args.push(&launch.command);
        let out = tmux
            .command(&args)
            .output()
            .expect("tmux runs (scripts/deps installs it)");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket, "-f", "/dev/null"]).args(args);
        cmd
    }

    /// Any tmux command on this server; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Enter`, `C-c`, `q`...).
    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", TARGET];
        args.extend(keys);
        self.run(&args);
    }

    /// `line` typed literally, then Enter.
    pub fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", TARGET, "-l", line]);
        self.send(&["Enter"]);
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", TARGET])
    }

    /// The visible screen with its SGR escapes (colours, bold...).
    pub fn styled_screen(&self) -> String {
        self.run(&["capture-pane", "-e", "-p", "-t", TARGET])
    }

    /// A tmux format of the pane, e.g. `#{pane_title}`, `#{mouse_any_flag}`, `#{alternate_on}`.
    pub fn display(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", TARGET, format])
            .trim()
            .to_string()
    }

    /// A pane flag such as `alternate_on` or `mouse_any_flag`.
    pub fn flag(&self, name: &str) -> bool {
        self.display(&format!("#{{{name}}}")) == "1"
    }

    /// Polls the screen every `every` until `done` holds: Ok(screen), or Err(last screen) once
    /// `timeout` has passed.
    pub fn poll(
        &self,
        timeout: Duration,
        every: Duration,
        mut done: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return Ok(screen);
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(every);
        }
    }

    /// Waits (up to 20 s) until `text` is on screen; returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, Duration::from_secs(20), |s| s.contains(text))
    }

    /// Waits until `done` holds for the screen, or panics naming `what` with the last screen.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl FnMut(&str) -> bool,
    ) -> String {
        self.poll(timeout, Duration::from_millis(100), done)
            .unwrap_or_else(|screen| {
                panic!("timed out after {timeout:?} waiting for {what:?}; screen:\n{screen}")
            })
    }

    pub fn pane_pid(&self) -> u32 {
        self.display("#{pane_pid}").parse().expect("pane pid")
    }

    /// Waits (up to 15 s) until nothing runs under the pane's shell any more (the app exited).
    pub fn wait_exit(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !descendants(self.pane_pid()).is_empty() {
            assert!(
                Instant::now() < deadline,
                "the program did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A path in [`Tmux::state`].
    pub fn file(&self, name: &str) -> PathBuf {
        self.state.path().join(name)
    }

    /// Stops the server now (dropping does the same).
    pub fn kill(self) {}
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // kill-server leaves the socket file behind; remove it too.
        let socket = self.run(&["display-message", "-p", "#{socket_path}"]);
        let _ = self.command(&["kill-server"]).output();
        if !socket.trim().is_empty() {
            let _ = std::fs::remove_file(socket.trim());
        }
    }
}

/// Every process below `root` (by walking /proc parent links), with its command line.
pub fn descendants(root: u32) -> Vec<(u32, String)> {
    let procs: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // The command may contain spaces and parentheses: fields start after the last ')'.
            let rest = stat.rsplit_once(')')?.1;
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            Some((pid, ppid, cmd.trim().to_string()))
        })
        .collect();
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
pub fn wait_for_descendants(tmux: &Tmux, command: &str) -> Vec<u32> {
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

/// Whether `pid` runs (a zombie does not).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}
