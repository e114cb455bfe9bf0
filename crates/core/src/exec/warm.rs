//! A bash started ahead of the cell that will use it.
//!
//! Starting bash (exec, dynamic linking, locale, importing the environment) is most of what a
//! short cell costs: ~1.5 ms of the ~2 ms that `true` takes. So while a cell runs, the engine
//! starts the next cell's bash, on another core when there is one; it waits in `read` on a
//! pipe from us. When its cell comes we write a script that brings it to the session's state as
//! of now (environment changes since it started, plain variables and functions, directory, the
//! cell's own `env`, the EXIT trap that saves the state) and holds the code, then send one byte.
//!
//! The cell then runs in that process as in a fresh `bash -c CODE`: its own process group and
//! `$$`, our child (exit status from `wait`), its own pipes, stdin /dev/null, `$0` = bash. What
//! differs: the code runs through `eval`, so a syntax error reads `bash: eval: line 2: ...`
//! where `bash -c` says `bash: -c: line 2: ...`, and `$BASH_EXECUTION_STRING` is the waiting
//! script, not the code.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tokio::io::AsyncWriteExt;

use super::attempt::Started;

/// What the waiting bash runs: wait for the byte (however long: `TMOUT` would end the wait),
/// become the cell, run the code with `$_` as a fresh bash has it. Builtins are named as such
/// here and in the script: a function exported in the environment (a `cd` wrapper) must not
/// run in their place.
///
/// The code is evaluated alone, so that its line numbers are the ones `bash -c` gives and a
/// syntax error quotes only the user's line: `__kt_code` stays set while it runs (like
/// `__kt_dir`; the saved state leaves `__kt_` names out). `$_` is set by the command before
/// the `eval`, which does not change it.
const WAIT: &str = concat!(
    r#"TMOUT= IFS= builtin read -r -N 1 __kt_go || builtin exit 0; builtin . "$1"; "#,
    r#"builtin : "$BASH"; builtin eval "$__kt_code""#,
);

pub struct Warm {
    started: Started,
    stdin: tokio::process::ChildStdin,
    /// The environment and directory it was started with: the script undoes the difference.
    env: BTreeMap<OsString, OsString>,
    cwd: PathBuf,
}

impl std::fmt::Debug for Warm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warm")
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

/// The state a cell must start in, and its code.
pub struct Cell<'a> {
    pub env: &'a BTreeMap<OsString, OsString>,
    pub cwd: &'a Path,
    /// The session's `declare` file, when it has one.
    pub shell_file: Option<&'a Path>,
    /// Sets the trap that saves the state at exit.
    pub save: &'a [u8],
    pub code: &'a str,
    /// Send stderr into the stdout pipe (one ordered stream).
    pub merge_stderr: bool,
}

impl Warm {
    /// Starts a bash that waits for its cell; `go` is where its script will be.
    pub fn spawn(
        bash: &Path,
        env: &BTreeMap<OsString, OsString>,
        cwd: &Path,
        go: &Path,
    ) -> std::io::Result<Self> {
        let mut cmd = Command::new(bash);
        cmd.arg("-c").arg(WAIT).arg("bash").arg(go);
        cmd.env_clear().envs(env).current_dir(cwd);
        cmd.stdin(Stdio::piped());
        let mut started = Started::spawn(cmd, false)?;
        let stdin = started
            .take_stdin()
            .ok_or_else(|| std::io::Error::other("waiting bash has no stdin"))?;
        Ok(Self {
            started,
            stdin,
            env: env.clone(),
            cwd: cwd.to_path_buf(),
        })
    }

    /// The environment it was started with.
    pub fn env(&self) -> &BTreeMap<OsString, OsString> {
        &self.env
    }

    /// Whether it died, is stopped, or is about to die (a signal is pending: someone just
    /// killed it and it has not run since). Such a bash would take the next cell down with it.
    pub fn is_doomed(&self) -> bool {
        let Some(pid) = self.started.id() else {
            return true;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            return true;
        };
        status.lines().any(|line| {
            let (key, value) = line.split_once(':').unwrap_or_default();
            let value = value.trim();
            match key {
                "State" => value.starts_with(['Z', 'X', 'T', 't']),
                "SigPnd" | "ShdPnd" => value.bytes().any(|b| b != b'0'),
                _ => false,
            }
        })
    }

    /// Writes the cell's script to `go` and lets the bash run it.
    pub async fn go(mut self, go: &Path, cell: &Cell<'_>) -> std::io::Result<Started> {
        std::fs::write(go, self.script(cell)).map_err(|e| {
            std::io::Error::other(format!(
                "cannot write the cell's script {}: {e}",
                go.display()
            ))
        })?;
        self.stdin.write_all(b"g").await?;
        drop(self.stdin);
        Ok(self.started)
    }

    fn script(&self, cell: &Cell<'_>) -> Vec<u8> {
        // SECONDS counts from when the cell starts, not from when its bash did.
        let mut s: Vec<u8> =
            b"command exec </dev/null; builtin unset __kt_go; builtin set --; SECONDS=0\n".to_vec();
        if cell.merge_stderr {
            s.extend_from_slice(b"command exec 2>&1\n");
        }
        // Always: the path may be the same while the directory behind it was replaced. The
        // physical `cd -P` matches the chdir a fresh bash gets; PWD is then kept logical when
        // the environment's PWD names this directory, as a fresh bash does.
        s.extend_from_slice(b"builtin cd -P -- ");
        s.extend(quote(cell.cwd.as_os_str()));
        s.extend_from_slice(b" || builtin exit 1\n");
        if let Some(pwd) = cell.env.get(OsStr::new("PWD")) {
            s.extend_from_slice(b"builtin test ");
            s.extend(quote(pwd));
            s.extend_from_slice(b" -ef . && PWD=");
            s.extend(quote(pwd));
            s.push(b'\n');
        }
        match cell.env.get(OsStr::new("OLDPWD")) {
            Some(old) => line(&mut s, b"builtin export ", OsStr::new("OLDPWD"), Some(old)),
            None => s.extend_from_slice(b"builtin unset -v OLDPWD\n"),
        }
        for name in self.env.keys().filter(|k| !cell.env.contains_key(*k)) {
            if is_name(name) && name != "PWD" {
                line(&mut s, b"builtin unset -v ", name, None);
            }
        }
        for (name, value) in cell.env {
            let changed = self.env.get(name) != Some(value);
            if changed && is_name(name) && name != "PWD" && name != "OLDPWD" {
                line(&mut s, b"builtin export ", name, Some(value));
            }
        }
        if let Some(file) = cell.shell_file {
            s.extend_from_slice(b"builtin . ");
            s.extend(quote(file.as_os_str()));
            s.push(b'\n');
        }
        s.extend_from_slice(cell.save);
        s.extend_from_slice(b"\n__kt_code=");
        s.extend(quote(OsStr::new(cell.code)));
        s.push(b'\n');
        s
    }
}

fn line(out: &mut Vec<u8>, verb: &[u8], name: &OsStr, value: Option<&OsString>) {
    out.extend_from_slice(verb);
    out.extend_from_slice(name.as_bytes());
    if let Some(v) = value {
        out.push(b'=');
        out.extend(quote(v));
    }
    out.extend_from_slice(b" 2>/dev/null\n");
}

/// A shell name bash can assign; others (possible in an inherited environment) are left alone.
pub fn is_name(name: &OsStr) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Single-quotes arbitrary bytes for bash (an environment value never holds NUL).
pub fn quote(value: &OsStr) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in value.as_bytes() {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_quotes_newlines_and_invalid_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let v = OsStr::from_bytes(b"it's\n\xff$x");
        assert_eq!(quote(v), b"'it'\\''s\n\xff$x'".to_vec());
    }

    #[test]
    fn only_shell_names_are_touched() {
        assert!(is_name(OsStr::new("_A1")));
        assert!(!is_name(OsStr::new("1A")));
        assert!(!is_name(OsStr::new("A-B")));
        assert!(!is_name(OsStr::new("")));
    }
}
