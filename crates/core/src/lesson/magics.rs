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
            Some(cmd.strip_prefix('!').unwrap_or(cmd).to_string())
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
    flush_python(&mut python, &mut out);
    out
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
        n if SHELL_ALIASES.contains(&n) => Some(with_args(n)),
        _ => {
            out.push(Piece::Warning(format!(
                "line {line}: IPython magic `%{name}` has no shell meaning; dropped"
            )));
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
        "bash" | "sh" | "shell" => vec![Piece::Shell(body.trim_end().to_string())],
        "script" if matches!(args.split_whitespace().next(), Some("bash" | "sh")) => {
            vec![Piece::Shell(body.trim_end().to_string())]
        }
        "writefile" => vec![Piece::Shell(writefile(args, body))],
        "capture" | "time" | "timeit" | "prun" => {
            let mut out = vec![Piece::Warning(format!(
                "cell magic `%%{name}` has no shell meaning; ignored"
            ))];
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

/// `%%writefile [-a] FILE` as a here-document with a delimiter the body does not contain.
fn writefile(args: &str, body: &str) -> String {
    let append = args
        .split_whitespace()
        .any(|a| a == "-a" || a == "--append");
    let file = args
        .split_whitespace()
        .rfind(|a| !a.starts_with('-'))
        .unwrap_or("file");
    let mut delim = "EOF".to_string();
    while body.lines().any(|l| l == delim) {
        delim.push('_');
    }
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
    fn python_and_unknown_magics_warn() {
        let p = convert("%matplotlib inline\nx = 1\n!echo $x");
        assert!(
            matches!(&p[0], Piece::Warning(w) if w.contains("`%matplotlib` has no shell meaning"))
        );
        assert!(matches!(&p[1], Piece::Warning(w) if w.contains("Python code")));
        assert_eq!(p[2], Piece::Shown("python".into(), "x = 1".into()));
        assert_eq!(p[3], Piece::Shell("echo $x".into()));
        let p = convert("%%html\n<b>x</b>");
        assert!(matches!(&p[1], Piece::Shown(l, _) if l == "html"));
        let p = convert("%%time\n!sleep 1");
        assert!(matches!(&p[0], Piece::Warning(_)));
        assert_eq!(p[1], Piece::Shell("sleep 1".into()));
    }
}
