//! The shell state that persists from cell to cell: exported variables, plain shell variables,
//! functions and the working directory.
//!
//! Design: one bash process per cell, with the state saved and restored around it, rather
//! than one long-lived bash fed commands between output markers. A bash per cell is exact where
//! a persistent shell is fragile: each cell is its own process group (cancel and timeouts
//! signal exactly that cell), its exit code and stdout/stderr are its own pipes (no markers to
//! spoof, no prompt parsing), stdin is /dev/null, `$$` is its own, and a cell that runs `exit`,
//! `exec` or `kill $$` or corrupts its shell cannot take the session down.
//!
//! It is fast because the costly part is taken off the critical path: the bash for the next
//! foreground cell is started while the current one runs and waits for its cell (see
//! [`super::warm`]), so a trivial cell costs about what a `bash -c true` does (benches/run.rs).
//! Saving costs two builtins in an EXIT trap (`declare -p`, `declare -f`, into one
//! NUL-separated file written in place, no fork), ~0.3 ms; the state directory is on tmpfs when
//! there is one. Restoring is the environment plus one sourced file of `declare` lines, rewritten
//! only when it changes. Cells started fresh (background jobs, interactive cells) get the same
//! through a prelude in `BASH_ENV`.
//!
//! Not carried over (as with `bash -c` in a terminal): `set -o` options, traps, aliases, and the
//! state of a cell that `exec`s another program or is killed before its EXIT trap runs.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::attempt::Started;
use super::bashdump;
use super::proc::OWNER_ENV;
use super::warm::Warm;

/// The EXIT trap that saves the state into `$__kt_dir/out`, numbered `$__kt_seq`.
const SAVE_TRAP: &str = r#"builtin trap '{ builtin printf "%s\0%s\0" "$__kt_seq" "$PWD"; builtin declare -p
    builtin printf "\0"; builtin declare -f; builtin printf "\0end%s\0" "$__kt_seq"
  } 1<>"$__kt_dir/out" 2>/dev/null' EXIT"#;

/// Sourced through `BASH_ENV` by cells started fresh (background jobs, interactive cells).
fn prelude() -> String {
    format!(
        r#"# kubetutor session prelude, sourced through BASH_ENV
__kt_dir=$__KT_DIR
builtin unset BASH_ENV __KT_DIR
if builtin test -r "$__kt_dir/shell"; then builtin . "$__kt_dir/shell"; fi
if builtin test -n "$__KT_MERGE"; then builtin unset __KT_MERGE; command exec 2>&1; fi
if builtin test -n "$__KT_SAVE"; then
  __kt_seq=$__KT_SAVE
  builtin unset __KT_SAVE
  {SAVE_TRAP}
fi
"#
    )
}

/// Variables bash sets or manages itself: never carried over (some are read-only).
const BASH_OWN: &[&str] = &[
    "BASHOPTS",
    "BASHPID",
    "COLUMNS",
    "COMP_WORDBREAKS",
    "DIRSTACK",
    "EPOCHREALTIME",
    "EPOCHSECONDS",
    "EUID",
    "FUNCNAME",
    "GROUPS",
    "HISTCMD",
    "HISTFILE",
    "HISTFILESIZE",
    "HISTSIZE",
    "HOSTNAME",
    "HOSTTYPE",
    "IFS",
    "LINENO",
    "LINES",
    "MACHTYPE",
    "MAILCHECK",
    "OPTERR",
    "OPTIND",
    "OSTYPE",
    "PIPESTATUS",
    "PPID",
    "PS1",
    "PS2",
    "PS4",
    "RANDOM",
    "SECONDS",
    "SHELLOPTS",
    "SHLVL",
    "SRANDOM",
    "UID",
    "_",
];

fn is_ours_or_bash(name: &str) -> bool {
    name == "BASH"
        || name.starts_with("BASH_")
        || name.starts_with("__kt_")
        || name.starts_with("__KT_")
        || BASH_OWN.contains(&name)
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot create the session's state directory: {0}")]
    TempDir(std::io::Error),
    #[error("cannot read the shell state a cell saved: {0}")]
    Read(std::io::Error),
    #[error("cannot write the shell state file: {0}")]
    Write(std::io::Error),
    #[error(transparent)]
    Dump(#[from] bashdump::DumpError),
}

#[derive(Debug)]
pub struct Session {
    env: BTreeMap<OsString, OsString>,
    cwd: PathBuf,
    /// `declare` lines of non-exported variables, by name.
    shell_vars: BTreeMap<String, Vec<u8>>,
    functions: Vec<u8>,
    /// What the `shell` file holds now: rewritten only when it changes.
    shell_file: Vec<u8>,
    /// Numbers each saving cell, so a dump left by an earlier cell is never taken for its own.
    saves: u64,
    shlvl: Option<OsString>,
    /// The bash the next foreground cell will run in, started ahead (see [`super::warm`]).
    warm: Option<Warm>,
    bash: PathBuf,
    dir: tempfile::TempDir,
    /// The cells' `$TMPDIR`: what a lesson makes with `mktemp` is gone when the session ends.
    scratch: tempfile::TempDir,
}

impl Session {
    /// A session starting in `cwd` with the current process environment plus `extra`.
    pub fn new(
        bash: PathBuf,
        cwd: PathBuf,
        extra: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SessionError> {
        let dir = state_dir().map_err(SessionError::TempDir)?;
        super::watchdog::remove_at_exit(dir.path());
        std::fs::write(dir.path().join("prelude.sh"), prelude()).map_err(SessionError::TempDir)?;
        // In the user's own temp dir (not the tmpfs of the state dir): lessons put data there.
        let scratch = tempfile::Builder::new()
            .prefix("kubetutor-tmp-")
            .tempdir()
            .map_err(SessionError::TempDir)?;
        super::watchdog::remove_at_exit(scratch.path());
        // What bash manages itself is left out from the start, as every saved state leaves it
        // out (a cell's bash sets it anew); SHLVL stays, at the level we were started with.
        let mut env: BTreeMap<OsString, OsString> = std::env::vars_os()
            .filter(|(k, _)| {
                k != "BASH_ENV"
                    && k != super::proc::RUN_ENV
                    && k.to_str()
                        .is_none_or(|k| k == "SHLVL" || !is_ours_or_bash(k))
            })
            .collect();
        env.insert("TMPDIR".into(), scratch.path().into());
        // A lesson's own `env: {TMPDIR: ...}` still wins.
        env.extend(extra.into_iter().map(|(k, v)| (k.into(), v.into())));
        env.insert(OWNER_ENV.into(), super::proc::owner_mark().into());
        let shlvl = env.get(OsStr::new("SHLVL")).cloned();
        let bash = resolve(bash, env.get(OsStr::new("PATH")).map(OsString::as_os_str));
        let shell_vars = BTreeMap::new();
        Ok(Self {
            env,
            cwd,
            shell_vars,
            functions: Vec::new(),
            shell_file: Vec::new(),
            saves: 0,
            shlvl,
            warm: None,
            bash,
            dir,
            scratch,
        })
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    pub fn bash(&self) -> &Path {
        &self.bash
    }

    /// Whether `name` has a value in the session (exported, plain, or bash's own).
    pub fn is_set(&self, name: &str) -> bool {
        self.env.contains_key(OsStr::new(name))
            || self.shell_vars.contains_key(name)
            || is_ours_or_bash(name)
    }

    /// Sets an exported variable, as `export NAME=VALUE` would.
    pub fn set_var(&mut self, name: &str, value: impl Into<OsString>) {
        self.env.insert(name.into(), value.into());
        if self.shell_vars.remove(name).is_some() {
            // The stale non-exported copy would shadow the new value when sourced.
            let _ = self.write_shell_file();
        }
    }

    /// A `bash -c CODE` that starts with this session's state. With `save`, its EXIT trap
    /// dumps the state for [`Session::absorb`]; background jobs run without saving.
    pub fn command(
        &mut self,
        code: &str,
        cell_env: &[(String, String)],
        cwd: &Path,
        save: bool,
    ) -> Command {
        let mut cmd = Command::new(&self.bash);
        cmd.arg("-c").arg(code).arg("bash");
        cmd.env_clear()
            .envs(&self.env)
            .envs(cell_env.iter().map(|(k, v)| (k, v)));
        cmd.env("BASH_ENV", self.dir.path().join("prelude.sh"));
        cmd.env("__KT_DIR", self.dir.path());
        if save {
            self.saves += 1;
            cmd.env("__KT_SAVE", self.saves.to_string());
        }
        cmd.current_dir(cwd).stdin(Stdio::null());
        cmd
    }

    /// A background job's `bash -c CODE`: no state saved, stderr into the stdout pipe so its
    /// lines stay in the order they were written (see [`Self::start_cell`]).
    pub fn job_command(
        &mut self,
        code: &str,
        cell_env: &[(String, String)],
        cwd: &Path,
    ) -> Command {
        let mut cmd = self.command(code, cell_env, cwd, false);
        cmd.env("__KT_MERGE", "1");
        cmd
    }

    /// Starts the bash the next foreground cell will use, unless one waits already. Best
    /// effort: without it the cell starts its bash itself. Needs the tokio runtime.
    pub fn warm_up(&mut self) {
        if self.warm.is_some() {
            return;
        }
        match self.spawn_warm(&self.env, &self.cwd) {
            Ok(warm) => self.warm = Some(warm),
            Err(e) => tracing::debug!("no bash started ahead: {e}"),
        }
    }

    /// Starts a foreground cell that saves its state at exit: in the bash started ahead when
    /// there is one, else in a new one. `cell_env` is for this cell only (see [`Self::absorb`]).
    ///
    /// With `merge_stderr` the cell's stderr goes into its stdout pipe, so the two keep the
    /// order they were written in, as in a terminal (two pipes read side by side cannot: a
    /// burst on one overtakes the other). Cells whose stdout is captured keep them apart.
    pub async fn start_cell(
        &mut self,
        code: &str,
        cell_env: &[(String, String)],
        cwd: &Path,
        merge_stderr: bool,
    ) -> std::io::Result<Started> {
        if code.contains('\0') {
            let e = "the command contains a NUL byte, which bash cannot run";
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, e));
        }
        let mut env = self.env.clone();
        env.extend(cell_env.iter().map(|(k, v)| (k.into(), v.into())));
        let waiting = self
            .warm
            .take()
            .filter(|w| !w.is_doomed() && !needs_fresh_bash(w.env(), &env));
        let ahead = waiting.is_some();
        let warm = match waiting {
            Some(warm) => warm,
            None => self.spawn_warm(&env, cwd)?,
        };
        let cell = (code, &env, cwd, merge_stderr);
        match self.go(warm, cell).await {
            // The bash started ahead died while it waited (a cell ran `pkill bash`): start anew.
            Err(e) if ahead && e.kind() == std::io::ErrorKind::BrokenPipe => {
                let warm = self.spawn_warm(&env, cwd)?;
                self.go(warm, cell).await
            }
            result => result,
        }
    }

    async fn go(
        &mut self,
        warm: Warm,
        (code, env, cwd, merge_stderr): (&str, &BTreeMap<OsString, OsString>, &Path, bool),
    ) -> std::io::Result<Started> {
        self.saves += 1;
        let mut save = b"__kt_dir=".to_vec();
        save.extend(super::warm::quote(self.dir.path().as_os_str()));
        save.extend_from_slice(format!("; __kt_seq={}\n{SAVE_TRAP}", self.saves).as_bytes());
        let shell_file = self.dir.path().join("shell");
        let cell = super::warm::Cell {
            env,
            cwd,
            shell_file: (!self.shell_file.is_empty()).then_some(shell_file.as_path()),
            save: &save,
            code,
            merge_stderr,
        };
        warm.go(&self.go_path(), &cell).await
    }

    fn spawn_warm(&self, env: &BTreeMap<OsString, OsString>, cwd: &Path) -> std::io::Result<Warm> {
        Warm::spawn(&self.bash, env, cwd, &self.go_path())
    }

    fn go_path(&self) -> PathBuf {
        self.dir.path().join("go")
    }

    /// Takes in the state the last saving cell dumped. Returns false when it dumped nothing
    /// (it `exec`ed, or was killed): the session then stays as it was before the cell.
    /// `cell_env` values the cell did not change are reverted (they were for that cell only);
    /// with `keep_cwd` the directory stays (the cell ran with its own `cwd=`).
    pub fn absorb(
        &mut self,
        cell_env: &[(String, String)],
        keep_cwd: bool,
    ) -> Result<bool, SessionError> {
        let dump = match std::fs::read(self.dir.path().join("out")) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(SessionError::Read(e)),
        };
        // seq, PWD, declare -p (exported ones are flagged x), declare -f, "end" seq: bash
        // strings never hold NUL. The file is overwritten in place, not truncated (no page is
        // freed and allocated again per cell), so bytes of longer earlier dumps may follow; the
        // numbered end marker shows this dump was written whole by this cell.
        let parts: Vec<&[u8]> = dump.split(|&b| b == 0).collect();
        let [seq, pwd, vars_dump, funcs, end, ..] = parts[..] else {
            return Ok(false);
        };
        let seq_now = self.saves.to_string();
        if seq != seq_now.as_bytes() || end != format!("end{seq_now}").as_bytes() {
            return Ok(false);
        }
        let decls = bashdump::parse(vars_dump)?;
        let mut env = exported(vars_dump, &decls);
        let shell_vars = plain_vars(vars_dump, &decls);
        for (k, v) in cell_env {
            if env.get(OsStr::new(k)).map(|x| x.as_bytes()) == Some(v.as_bytes()) {
                match self.env.get(OsStr::new(k)) {
                    Some(old) => env.insert(k.into(), old.clone()),
                    None => env.remove(OsStr::new(k)),
                };
            }
        }
        if let Some(level) = &self.shlvl {
            env.insert("SHLVL".into(), level.clone());
        }
        // Even a cell that unset it must not hide the next cell's processes from the sweep.
        env.insert(OWNER_ENV.into(), super::proc::owner_mark().into());
        // Each spawn gets its own; the last cell's must not be carried to the next.
        env.remove(OsStr::new(super::proc::RUN_ENV));
        if !keep_cwd && !pwd.is_empty() {
            self.cwd = PathBuf::from(OsString::from_vec(pwd.to_vec()));
        }
        self.env = env;
        self.shell_vars = shell_vars;
        self.functions = funcs.to_vec();
        self.write_shell_file()?;
        Ok(true)
    }

    /// Writes the `declare` lines of plain variables and functions for the next cell to
    /// source; skipped when they did not change (most cells), and no file when there are none.
    fn write_shell_file(&mut self) -> Result<(), SessionError> {
        let mut text = Vec::new();
        for line in self.shell_vars.values() {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        text.extend_from_slice(&self.functions);
        if text == self.shell_file {
            return Ok(());
        }
        let path = self.dir.path().join("shell");
        if text.is_empty() {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(SessionError::Write(e));
                }
                _ => {}
            }
        } else {
            let tmp = self.dir.path().join("shell.tmp");
            std::fs::write(&tmp, &text).map_err(SessionError::Write)?;
            std::fs::rename(&tmp, &path).map_err(SessionError::Write)?;
        }
        self.shell_file = text;
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The TempDir removes the directory; the watchdog need not any more.
        super::watchdog::forget_dir(self.dir.path());
        super::watchdog::forget_dir(self.scratch.path());
    }
}

/// Finds a bare program name on PATH once, rather than on every spawn.
fn resolve(program: PathBuf, path: Option<&OsStr>) -> PathBuf {
    if program.components().count() != 1 {
        return program;
    }
    crate::paths::find_on(path.unwrap_or_default(), &program).unwrap_or(program)
}

/// The session's state directory: on tmpfs when there is one, else in the temp dir.
fn state_dir() -> std::io::Result<tempfile::TempDir> {
    super::tmpfs::create_in_first(|dir| {
        tempfile::Builder::new()
            .prefix("kubetutor-exec-")
            .tempdir_in(dir)
    })
}

/// Whether a bash started with `started` cannot become a cell with `target` by assignments:
/// bash reads some variables only at start-up (SHELLOPTS, POSIXLY_CORRECT, ENV...), ignores
/// others in the environment (IFS, PS4...), and a name that is not a shell name cannot be
/// assigned at all. A difference in any of those needs a bash started with `target`.
fn needs_fresh_bash(
    started: &BTreeMap<OsString, OsString>,
    target: &BTreeMap<OsString, OsString>,
) -> bool {
    const AT_START_UP: &[&str] = &["ENV", "POSIXLY_CORRECT", "SHELLOPTS", "BASHOPTS", "TMOUT"];
    let special = |name: &OsStr| {
        !super::warm::is_name(name)
            || name
                .to_str()
                .is_some_and(|n| (is_ours_or_bash(n) && n != "SHLVL") || AT_START_UP.contains(&n))
    };
    let differs = |a: &BTreeMap<OsString, OsString>, b: &BTreeMap<OsString, OsString>| {
        a.iter()
            .any(|(k, v)| b.get(k) != Some(v) && (special(k) || (k == "PWD" && !b.contains_key(k))))
    };
    differs(started, target) || differs(target, started)
}

fn exported(dump: &[u8], decls: &[bashdump::Decl]) -> BTreeMap<OsString, OsString> {
    let mut env = BTreeMap::new();
    for decl in decls {
        if !decl.flags.contains('x') || is_ours_or_bash(&decl.name) || decl.name == "BASH_ENV" {
            continue;
        }
        let Some(raw) = decl.raw_value.clone() else {
            continue;
        };
        if let Some(value) = bashdump::decode_scalar(&dump[raw]) {
            env.insert(OsString::from(&decl.name), OsString::from_vec(value));
        }
    }
    env
}

fn plain_vars(dump: &[u8], decls: &[bashdump::Decl]) -> BTreeMap<String, Vec<u8>> {
    let mut vars = BTreeMap::new();
    for decl in decls {
        if decl.flags.contains('x') || is_ours_or_bash(&decl.name) || decl.raw_value.is_none() {
            continue;
        }
        vars.insert(decl.name.clone(), dump[decl.raw.clone()].to_vec());
    }
    vars
}
