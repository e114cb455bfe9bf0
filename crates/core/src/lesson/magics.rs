//! IPython code cells -> shell. `!cmd` lines, `%%bash` cells and the line magics that are shell
//! commands in disguise (`%cd`, `%env`, `%ls`...) convert; Python and other magics are kept as
//! never-run blocks with a warning, so nothing is silently lost.

/// A converted stretch of a code cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Shell(String),
    /// Shown, never run: (language, code).
    Shown(String, String),
    Warning(String),
}

/// IPython's automagic aliases for shell commands.
const SHELL_ALIASES: [&str; 10] = [
    "ls", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "less", "more", "man",
];

pub fn convert(src: &str) -> Vec<Piece> {
    let rest = src.trim_start();
    let (first, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if let Some(magic) = first.trim().strip_prefix("%%") {
        return cell_magic(magic, body);
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut python = String::new();
    // Blank and comment lines belong to whatever comes next (shell or Python).
    let mut pending = String::new();
    for (n, line) in src.lines().enumerate() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            pending.push_str(line);
            pending.push('\n');
            continue;
        }
        let shell = if let Some(cmd) = t.strip_prefix('!') {
            let cmd = cmd.strip_prefix('!').unwrap_or(cmd);
            if line.len() != t.len() {
                // `!` inside indented Python (a loop body): the cell is Python as a whole.
                python.push_str(&std::mem::take(&mut pending));
                python.push_str(line);
                python.push('\n');
                continue;
            }
            flush_python(&mut python, &mut out);
            bang_line(cmd, n + 1, &mut out)
        } else if let Some(m) = t.strip_prefix('%') {
            line_magic(m, n + 1, &mut out)
        } else {
            python.push_str(&std::mem::take(&mut pending));
            python.push_str(line);
            python.push('\n');
            None
        };
        if let Some(s) = shell {
            flush_python(&mut python, &mut out);
            for p in std::mem::take(&mut pending).lines() {
                push_shell(&mut out, p);
            }
            push_shell(&mut out, &s);
        }
    }
    // Trailing comments (a commented-out `!kubectl delete` the prose asks to uncomment) stay:
    // with the Python they follow, else as shell that never runs.
    if !pending.trim().is_empty() {
        if python.is_empty() {
            flush_python(&mut python, &mut out);
            out.push(Piece::Shown("sh".into(), pending.trim_end().to_string()));
        } else {
            python.push_str(&pending);
        }
    }
    flush_python(&mut python, &mut out);
    out
}

/// A `!` line runs in a fresh shell of its own: one that changes shell state (`cd`,
/// `export`, an assignment) is wrapped in a subshell so the lesson's one shell keeps that
/// meaning. IPython's `{expr}` / `$pyvar` interpolation has no shell meaning: flagged.
fn bang_line(cmd: &str, line: usize, out: &mut Vec<Piece>) -> Option<String> {
    if let Some(var) = interpolation(cmd) {
        out.push(Piece::Warning(format!(
            "line {line}: `!{cmd}` interpolates the Python value `{var}`; kept as a block that never runs"
        )));
        out.push(Piece::Shown("sh".into(), cmd.to_string()));
        return None;
    }
    Some(if changes_state(cmd) {
        format!("( {cmd} )")
    } else {
        cmd.to_string()
    })
}

/// The first IPython interpolation in a `!` line: `{expr}` or `$name` where the name is not
/// an environment-style variable (IPython expands `$x` from Python first). Upper-case names
/// and `${...}` are left to the shell.
pub(crate) fn interpolation(cmd: &str) -> Option<String> {
    let b = cmd.as_bytes();
    let mut quote = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\'' => quote = !quote,
            b'{' if !quote && (i == 0 || b[i - 1] != b'$') => {
                let end = cmd[i..].find('}')?;
                let inner = &cmd[i + 1..i + end];
                // `{a,b}` brace expansion and `{}` (find -exec) are shell.
                if !inner.is_empty() && !inner.contains(',') && !inner.contains(' ') {
                    return Some(format!("{{{inner}}}"));
                }
            }
            b'$' if !quote => {
                let name: String = cmd[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let first = name.chars().next();
                let shell_var = cmd.contains(&format!("for {name} "))
                    || cmd.contains(&format!("{name}="))
                    || cmd.contains(&format!("read {name}"));
                if first.is_some_and(|f| f.is_ascii_lowercase()) && !shell_var {
                    return Some(format!("${name}"));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a command changes the state a later command would inherit in one shell.
fn changes_state(cmd: &str) -> bool {
    cmd.split(['&', ';', '|']).any(|part| {
        let w = part.split_whitespace().next().unwrap_or("");
        matches!(
            w,
            "cd" | "pushd"
                | "popd"
                | "export"
                | "unset"
                | "source"
                | "."
                | "set"
                | "alias"
                | "umask"
                | "shopt"
                | "ulimit"
        ) || (w.contains('=') && !w.starts_with('=') && !w.starts_with('-'))
    })
}

fn push_shell(out: &mut Vec<Piece>, line: &str) {
    if let Some(Piece::Shell(code)) = out
        .iter_mut()
        .rev()
        .find(|p| !matches!(p, Piece::Warning(_)))
    {
        code.push('\n');
        code.push_str(line);
        return;
    }
    out.push(Piece::Shell(line.to_string()));
}

fn flush_python(python: &mut String, out: &mut Vec<Piece>) {
    let code = std::mem::take(python);
    if code.trim().is_empty() {
        return;
    }
    out.push(Piece::Warning(
        "Python code has no shell meaning; kept as a ```python block that never runs".into(),
    ));
    out.push(Piece::Shown("python".into(), code.trim_end().to_string()));
}

/// A `%magic args` line: its shell equivalent, or None with a warning.
fn line_magic(m: &str, line: usize, out: &mut Vec<Piece>) -> Option<String> {
    let (name, args) = m.split_once(char::is_whitespace).unwrap_or((m, ""));
    let args = args.trim();
    let with_args = |cmd: &str| {
        if args.is_empty() {
            cmd.to_string()
        } else {
            format!("{cmd} {args}")
        }
    };
    match name {
        "cd" | "pushd" | "popd" | "pwd" => Some(with_args(name)),
        "env" => Some(env_magic(args)),
        "sx" | "system" => Some(args.to_string()),
        "pip" | "conda" => Some(with_args(name)),
        n if SHELL_ALIASES.contains(&n) => Some(with_args(n)),
        _ => {
            out.push(Piece::Warning(format!(
                "line {line}: IPython magic `%{name}` has no shell meaning; kept as a block that never runs"
            )));
            out.push(Piece::Shown("ipython".into(), format!("%{m}")));
            None
        }
    }
}

/// `%env` (list), `%env NAME` (show), `%env NAME=value` / `%env NAME value` (set).
fn env_magic(args: &str) -> String {
    if args.is_empty() {
        return "env".into();
    }
    if let Some((k, v)) = args.split_once('=').or_else(|| args.split_once(' ')) {
        return format!("export {}={}", k.trim(), v.trim());
    }
    format!("echo \"${args}\"")
}

fn cell_magic(magic: &str, body: &str) -> Vec<Piece> {
    let (name, args) = magic.split_once(char::is_whitespace).unwrap_or((magic, ""));
    let args = args.trim();
    match name {
        // Each `%%bash` cell is a fresh shell: a subshell keeps its `cd`s and variables in.
        "bash" | "sh" | "shell" => {
            let mut out = Vec::new();
            if args.split_whitespace().any(|a| {
                a.starts_with("--out")
                    || a.starts_with("--err")
                    || a == "--bg"
                    || a.starts_with("--proc")
            }) {
                out.push(Piece::Warning(format!(
                    "`%%{name} {args}` stores output in Python variables; kubetutor shows it instead"
                )));
            }
            out.push(Piece::Shell(subshell(body)));
            out
        }
        "script" => match args.split_whitespace().next() {
            Some("bash" | "sh") => vec![Piece::Shell(subshell(body))],
            Some(interpreter) => vec![Piece::Shell(heredoc(interpreter, body))],
            None => vec![
                Piece::Warning(
                    "`%%script` names no interpreter; kept as a block that never runs".into(),
                ),
                Piece::Shown("text".into(), body.trim_end().to_string()),
            ],
        },
        "perl" | "ruby" | "python2" | "python3" | "pypy" => {
            vec![Piece::Shell(heredoc(name, body))]
        }
        "writefile" | "file" => vec![Piece::Shell(writefile(args, body))],
        "capture" | "time" | "timeit" | "prun" => {
            let mut out = vec![
                Piece::Warning(format!(
                    "cell magic `%%{name}` has no shell meaning; ignored"
                )),
                Piece::Shown("ipython".into(), format!("%%{magic}")),
            ];
            out.extend(convert(body));
            out
        }
        other => {
            let lang = match other {
                "python" | "python3" => "python",
                "javascript" | "js" => "javascript",
                o => o,
            };
            vec![
                Piece::Warning(format!(
                    "cell magic `%%{other}` has no shell meaning; kept as a block that never runs"
                )),
                Piece::Shown(lang.to_string(), body.trim_end().to_string()),
            ]
        }
    }
}

/// A cell's shell code as one subshell when it changes shell state, else as it is.
fn subshell(body: &str) -> String {
    let code = body.trim_end();
    if code.lines().any(changes_state) {
        format!("(\n{code}\n)")
    } else {
        code.to_string()
    }
}

/// `%%script INTERPRETER` / `%%perl`: the body fed to that interpreter, as the notebook ran it.
fn heredoc(interpreter: &str, body: &str) -> String {
    let delim = delimiter(body);
    format!(
        "{interpreter} <<'{delim}'\n{}\n{delim}",
        body.trim_end_matches('\n')
    )
}

fn delimiter(body: &str) -> String {
    let mut delim = "EOF".to_string();
    while body.lines().any(|l| l == delim) {
        delim.push('_');
    }
    delim
}

/// `%%writefile [-a] FILE` as a here-document with a delimiter the body does not contain.
fn writefile(args: &str, body: &str) -> String {
    let append = args
        .split_whitespace()
        .any(|a| a == "-a" || a == "--append");
    let file = args
        .split_whitespace()
        .rfind(|a| !a.starts_with('-'))
        .unwrap_or("file");
    let delim = delimiter(body);
    let op = if append { ">>" } else { ">" };
    format!(
        "cat {op} {file} <<'{delim}'\n{}\n{delim}",
        body.trim_end_matches('\n')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(src: &str) -> Vec<String> {
        convert(src)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Shell(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bang_lines_and_shell_magics() {
        assert_eq!(
            shell("!kubectl get pods\n!!echo x\n%cd manifests\n%env A=1\n%ls -l"),
            ["kubectl get pods\necho x\ncd manifests\nexport A=1\nls -l"]
        );
        assert_eq!(
            shell("%%bash\nfor i in 1 2; do\n  echo $i\ndone\n"),
            ["for i in 1 2; do\n  echo $i\ndone"]
        );
        assert_eq!(shell("%%script bash\necho hi"), ["echo hi"]);
    }

    #[test]
    fn writefile_becomes_a_heredoc() {
        assert_eq!(
            shell("%%writefile -a f.yaml\na: 1\nEOF\n"),
            ["cat >> f.yaml <<'EOF_'\na: 1\nEOF\nEOF_"]
        );
    }

    #[test]
    fn python_and_unknown_magics_warn_and_stay_shown() {
        let p = convert("%matplotlib inline\nx = 1\n!echo $HOME");
        assert!(
            matches!(&p[0], Piece::Warning(w) if w.contains("`%matplotlib` has no shell meaning"))
        );
        assert_eq!(
            p[1],
            Piece::Shown("ipython".into(), "%matplotlib inline".into())
        );
        assert!(matches!(&p[2], Piece::Warning(w) if w.contains("Python code")));
        assert_eq!(p[3], Piece::Shown("python".into(), "x = 1".into()));
        assert_eq!(p[4], Piece::Shell("echo $HOME".into()));
        let p = convert("%%html\n<b>x</b>");
        assert!(matches!(&p[1], Piece::Shown(l, _) if l == "html"));
        let p = convert("%%time\n!sleep 1");
        assert!(matches!(&p[0], Piece::Warning(_)));
        assert_eq!(p[1], Piece::Shown("ipython".into(), "%%time".into()));
        assert_eq!(p[2], Piece::Shell("sleep 1".into()));
    }

    #[test]
    fn pip_conda_script_interpreters_and_bash_options() {
        assert_eq!(
            shell("%pip install -q kfp\n%conda install x"),
            ["pip install -q kfp\nconda install x"]
        );
        assert_eq!(
            shell("%%script python3\nprint('hi')\n"),
            ["python3 <<'EOF'\nprint('hi')\nEOF"]
        );
        assert_eq!(shell("%%perl\nprint 1;"), ["perl <<'EOF'\nprint 1;\nEOF"]);
        let p = convert("%%bash --out output\necho hi");
        assert!(
            matches!(&p[0], Piece::Warning(w) if w.contains("--out output")),
            "{p:?}"
        );
        assert_eq!(p[1], Piece::Shell("echo hi".into()));
    }

    #[test]
    fn every_bang_line_and_bash_cell_is_a_fresh_shell() {
        assert_eq!(
            shell("!cd /tmp\n!pwd\n!export A=1 && echo $A\n!B=2"),
            ["( cd /tmp )\npwd\n( export A=1 && echo $A )\n( B=2 )"]
        );
        assert_eq!(shell("%%bash\ncd /tmp\npwd"), ["(\ncd /tmp\npwd\n)"]);
        // IPython's own %cd persists, as in the notebook.
        assert_eq!(shell("%cd /tmp\n!pwd"), ["cd /tmp\npwd"]);
    }

    #[test]
    fn python_interpolation_in_a_bang_line_is_flagged_not_run() {
        let p = convert(
            "!echo {name}\n!ls $path\n!for i in 1 2; do echo $i; done\n!find . -exec ls {} \\;",
        );
        assert!(
            matches!(&p[0], Piece::Warning(w) if w.contains("`{name}`")),
            "{p:?}"
        );
        assert_eq!(p[1], Piece::Shown("sh".into(), "echo {name}".into()));
        assert!(
            matches!(&p[2], Piece::Warning(w) if w.contains("`$path`")),
            "{p:?}"
        );
        assert_eq!(
            shell("!for i in 1 2; do echo $i; done\n!find . -exec ls {} \\;\n!echo '{x}' ${HOME}"),
            ["for i in 1 2; do echo $i; done\nfind . -exec ls {} \\;\necho '{x}' ${HOME}"]
        );
    }

    #[test]
    fn comments_are_kept_and_indented_bang_lines_stay_python() {
        let p = convert("!kubectl apply -f x.yaml\n# !kubectl delete -f x.yaml\n");
        assert_eq!(p[0], Piece::Shell("kubectl apply -f x.yaml".into()));
        assert_eq!(
            p[1],
            Piece::Shown("sh".into(), "# !kubectl delete -f x.yaml".into())
        );
        let p = convert("# only a comment");
        assert_eq!(p, [Piece::Shown("sh".into(), "# only a comment".into())]);
        let p = convert("for f in files:\n    !echo {f}\n");
        assert!(
            matches!(&p[1], Piece::Shown(l, c) if l == "python" && c.contains("!echo {f}")),
            "{p:?}"
        );
    }
}
