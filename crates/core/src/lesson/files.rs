//! The missing-file rule: files that commands read (`kubectl -f x.yaml`, `cat run.sh`, `< in`)
//! must exist where the cell runs, unless an earlier command may have created them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::diag::{Diagnostic, Severity};
use super::lint::Cx;
use super::model::Cell;
use super::shell::{Scan, Word};
use super::vars::split_assignments;

/// Commands whose plain arguments are files they read.
const READERS: [&str; 12] = [
    "cat", "less", "more", "head", "tail", "wc", "bat", "source", ".", "diff", "sort", "uniq",
];

pub(crate) fn missing_files(cx: &Cx, scans: &[(&Cell, Scan)], out: &mut Vec<Diagnostic>) {
    let lesson = cx.lesson;
    let base = lesson.workdir();
    if lesson.meta.workdir.is_some() && !base.is_dir() {
        return; // reported once as a missing workdir
    }
    let declared = lesson.meta.workdir.is_some();
    let mut session_dir = Some(base.clone());
    let mut made: HashSet<String> = HashSet::new();
    for (cell, scan) in scans {
        let holes = placeholders(&cell.code);
        for &(a, b) in &holes {
            let name = &cell.code[a..b];
            let d = cx.at(
                Severity::Warning,
                cx.code_pos(cell, a),
                cx.code_pos(cell, b),
                format!(
                    "`{name}` is a placeholder: replace it with a real value before this cell runs"
                ),
            );
            out.push(d.with_help(
                "as written, bash reads `<` and `>` as redirections (a missing file, or a syntax error near `newline`); use an `export NAME=...` prompt or mark the cell run=false",
            ));
        }
        let in_hole = |w: &Word| holes.iter().any(|&(a, b)| w.at >= a && w.at < b);
        let mut here = match &cell.attrs.cwd {
            Some(c) => {
                let dir = base.join(c);
                if !dir.is_dir() {
                    let (s, e) = cwd_span(cx, cell);
                    let msg = format!(
                        "cwd `{}` does not exist (looked for {})",
                        c.display(),
                        dir.display()
                    );
                    out.push(
                        cx.at(Severity::Error, s, e, msg)
                            .with_help("cwd is relative to the lesson's workdir"),
                    );
                }
                Some(dir)
            }
            None => session_dir.clone(),
        };
        // Redirect targets are not ordered against commands by the lexer; a file written
        // anywhere in the cell counts as present for the whole cell.
        made.extend(scan.writes.iter().map(|w| w.text.clone()));
        for cmd in &scan.commands {
            let refs = file_refs(cmd);
            for r in refs.iter().filter(|r| !in_hole(r)) {
                check_ref(cx, cell, r, here.as_deref(), &made, declared, out);
            }
            here = after_cd(cmd, here);
            made.extend(
                cmd.iter()
                    .filter(|w| !refs.contains(w))
                    .map(|w| w.text.clone()),
            );
        }
        for r in scan.reads.iter().filter(|r| !in_hole(r)) {
            check_ref(cx, cell, r, here.as_deref(), &made, declared, out);
        }
        if cell.attrs.cwd.is_none() {
            session_dir = here;
        }
    }
}

fn check_ref(
    cx: &Cx,
    cell: &Cell,
    r: &Word,
    here: Option<&Path>,
    made: &HashSet<String>,
    declared: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(here) = here else { return };
    let t = r.text.as_str();
    let skip = r.dynamic
        || t.is_empty()
        || t == "-"
        || t.starts_with('/')
        || t.contains("://")
        || made.contains(t);
    if skip || here.join(t).exists() {
        return;
    }
    let (s, e) = (cx.code_pos(cell, r.at), cx.code_pos(cell, r.end));
    let shown = here.display();
    if declared {
        let d = cx.at(
            Severity::Error,
            s,
            e,
            format!("`{t}` does not exist in the workdir ({shown})"),
        );
        out.push(d.with_help("fix the name, add the file, or create it in an earlier cell"));
    } else {
        let d = cx.at(
            Severity::Warning,
            s,
            e,
            format!("`{t}` is not in the lesson folder, where cells run ({shown})"),
        );
        out.push(d.with_help(
            "declare `workdir:` in the front matter pointing at the folder that has it",
        ));
    }
}

/// `<pod-name>`, `<VAULT_NAMESPACE>`: a name in angle brackets the reader is meant to fill in
/// (byte ranges in `code`). Not `<<` here-documents, `<(...)` or `2>`/`< file` redirections:
/// the name starts right after `<` and is one word of letters, digits, `-`, `_` or `.`.
pub(crate) fn placeholders(code: &str) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i] == b'<'
            && (i == 0 || !matches!(b[i - 1], b'<' | b'0'..=b'9'))
            && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic());
        if starts {
            let len = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
                .count();
            let end = i + 1 + len;
            if b.get(end) == Some(&b'>') {
                out.push((i, end + 1));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The words of a command that name files it reads.
fn file_refs(cmd: &[Word]) -> Vec<Word> {
    let (_, start) = split_assignments(cmd);
    let Some(name) = cmd.get(start) else {
        return Vec::new();
    };
    let args = &cmd[start + 1..];
    let base = name.text.rsplit('/').next().unwrap_or(&name.text);
    if name.text.starts_with("./") && !name.dynamic {
        return vec![name.clone()];
    }
    match base {
        "kubectl" | "oc" => kubectl_files(args),
        "head" | "tail" => plain_args(args, &["-n", "-c"]),
        b if READERS.contains(&b) => plain_args(args, &[]),
        "bash" | "sh" if !args.iter().any(|w| w.text == "-c") => {
            plain_args(args, &[]).into_iter().take(1).collect()
        }
        "redis-server" | "redis-sentinel" => args
            .iter()
            .take(1)
            .filter(|w| w.text.ends_with(".conf"))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// Non-option words, skipping the values of options listed in `with_value`.
fn plain_args(args: &[Word], with_value: &[&str]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in args {
        if skip {
            skip = false;
        } else if with_value.contains(&w.text.as_str()) {
            skip = true;
        } else if !w.text.starts_with('-') {
            out.push(w.clone());
        }
    }
    out
}

/// kubectl's global flags that take a value (the value is not the subcommand).
pub(crate) const KUBECTL_GLOBAL_WITH_VALUE: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
];

/// The files a `kubectl` command reads (`-f`, `--filename`, `-k`), from its arguments.
pub(crate) fn kubectl_files(args: &[Word]) -> Vec<Word> {
    let mut out = Vec::new();
    // `-f` is --filename for most subcommands, but --follow for `logs` (and `attach` has none).
    let sub = plain_args(args, KUBECTL_GLOBAL_WITH_VALUE)
        .into_iter()
        .next()
        .map(|w| w.text);
    let sub = sub.as_deref();
    let short_f_files = !matches!(sub, Some("logs" | "attach" | "port-forward" | "exec"));
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        let file_opt =
            matches!(t, "--filename" | "-k" | "--kustomize") || (t == "-f" && short_f_files);
        if file_opt {
            out.extend(args.get(i + 1).cloned());
        } else if let Some(v) = t
            .strip_prefix("--filename=")
            .or_else(|| t.strip_prefix("--kustomize="))
        {
            let at = w.end - v.len();
            out.push(Word {
                text: v.to_string(),
                at,
                end: w.end,
                dynamic: w.dynamic,
            });
        }
    }
    out
}

/// The directory after a `cd`; None when it cannot be known statically.
fn after_cd(cmd: &[Word], here: Option<PathBuf>) -> Option<PathBuf> {
    let (_, start) = split_assignments(cmd);
    if cmd
        .get(start)
        .is_none_or(|w| w.text != "cd" && w.text != "pushd")
    {
        return here;
    }
    match cmd.get(start + 1) {
        Some(w) if !w.dynamic && w.text != "-" => here.map(|h| h.join(&w.text)),
        _ => None,
    }
}

/// Where `cwd=` is written on the cell's fence line, for the caret.
fn cwd_span(cx: &Cx, cell: &Cell) -> (usize, usize) {
    let line = cx.idx.line_text(cell.span.line);
    let start = cx.idx.line_start(cell.span.line);
    match line.find("cwd") {
        Some(p) => (start + p, start + p + 3),
        None => (cell.span.start, cell.span.start + 3),
    }
}

#[cfg(test)]
mod tests {
    use super::super::shell::scan;
    use super::*;

    fn refs(code: &str) -> Vec<String> {
        scan(code)
            .commands
            .iter()
            .flat_map(|c| file_refs(c))
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn finds_files_commands_read() {
        assert_eq!(
            refs("kubectl create -f redis-master.yaml"),
            ["redis-master.yaml"]
        );
        assert_eq!(
            refs("kubectl apply --filename=a.yaml -k overlay"),
            ["a.yaml", "overlay"]
        );
        assert_eq!(
            refs("cat image/run.sh; tail -n 5 log.txt"),
            ["image/run.sh", "log.txt"]
        );
        assert_eq!(
            refs("bash setup.sh arg; sh -c 'x'; ./go.sh"),
            ["setup.sh", "./go.sh"]
        );
        assert_eq!(
            refs("redis-server redis.conf --port 7000; redis-server --port 1"),
            ["redis.conf"]
        );
        assert!(refs("kubectl get pods; echo cat x").is_empty());
        // `kubectl logs -f` follows: the next word is a pod, not a file.
        assert!(refs("kubectl logs -f web-0; kubectl -n x logs -f pod/a").is_empty());
        assert_eq!(refs("kubectl -n x delete -f a.yaml"), ["a.yaml"]);
    }

    #[test]
    fn placeholders_in_angle_brackets() {
        let code = "kubectl logs <pod-name> -n <ns>\ncat <<EOF\nx\nEOF\ndiff <(ls) a 2>err <in.txt";
        let found: Vec<&str> = placeholders(code)
            .iter()
            .map(|&(a, b)| &code[a..b])
            .collect();
        assert_eq!(found, ["<pod-name>", "<ns>"]);
        assert_eq!(
            placeholders("--from-file=vault.ca=<vault-ca-cert-file-path>").len(),
            1
        );
    }

    #[test]
    fn cd_moves_or_forgets_the_directory() {
        let here = Some(PathBuf::from("/w"));
        let cmd = |c: &str| scan(c).commands.remove(0);
        assert_eq!(
            after_cd(&cmd("cd sub"), here.clone()),
            Some(PathBuf::from("/w/sub"))
        );
        assert_eq!(after_cd(&cmd("cd \"$D\""), here.clone()), None);
        assert_eq!(after_cd(&cmd("cd"), here.clone()), None);
        assert_eq!(after_cd(&cmd("ls"), here.clone()), here);
    }
}
