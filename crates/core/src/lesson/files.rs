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
        for hole in &holes {
            let name = &cell.code[hole.at..hole.end];
            let d = cx.at(
                Severity::Warning,
                cx.code_pos(cell, hole.at),
                cx.code_pos(cell, hole.end),
                format!(
                    "`{name}` is a placeholder: replace it with a real value before this cell runs"
                ),
            );
            out.push(d.with_help(if hole.quoted {
                "as written, the cell runs with the placeholder itself as the value; use an `export NAME=...` prompt or mark the cell run=false"
            } else {
                "as written, bash reads `<` and `>` as redirections (a missing file, or a syntax error near `newline`); use an `export NAME=...` prompt or mark the cell run=false"
            }));
        }
        let in_hole = |w: &Word| holes.iter().any(|h| w.at >= h.at && w.at < h.end);
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
        made.extend(scan.writes.iter().map(|w| same_file(&w.text).to_string()));
        for cmd in &scan.commands {
            let refs = file_refs(cmd);
            for r in refs.iter().filter(|r| !in_hole(r)) {
                check_ref(cx, cell, r, here.as_deref(), &made, declared, out);
            }
            here = after_cd(cmd, here);
            made.extend(
                cmd.iter()
                    .filter(|w| !refs.contains(w))
                    .map(|w| same_file(&w.text).to_string()),
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
        || made.contains(same_file(t));
    if skip || here.join(t).exists() {
        return;
    }
    let (s, e) = (cx.code_pos(cell, r.at), cx.code_pos(cell, r.end));
    let shown = if here.as_os_str().is_empty() {
        Path::new(".").display()
    } else {
        here.display()
    };
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

/// A relative name as the file it names: `./a.yaml` and `a.yaml` are one file.
fn same_file(name: &str) -> &str {
    let mut t = name;
    while let Some(rest) = t.strip_prefix("./") {
        t = rest.trim_start_matches('/');
    }
    t
}

/// A name in angle brackets the reader is meant to fill in: `<pod-name>`, `<VAULT_NAMESPACE>`,
/// `<your cluster name>` (byte range in the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub at: usize,
    pub end: usize,
    /// Inside quotes or a here-document, where bash reads `<` and `>` as text: the cell runs,
    /// with the placeholder as its value.
    pub quoted: bool,
}

/// The placeholders in `code`. Not `<<` here-documents, `<(...)` or `2>`/`< file` redirections:
/// the name starts right after `<` with a letter and holds letters, digits, `-`, `_`, `.` and
/// single spaces between words. In quotes and here-documents, where HTML is common, only names
/// with `-`, `_`, a space or a capital letter count (`"<insert-env-here>"`, not `"<td>"`);
/// comments are skipped.
pub(crate) fn placeholders(code: &str) -> Vec<Placeholder> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    // Here-document delimiters whose bodies start after the current line.
    let mut pending: Vec<String> = Vec::new();
    // Inside `((...))` / `$((...))`, where `<<` is a shift.
    let mut arithmetic = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' && quote.is_none() && !pending.is_empty() {
            i = skip_heredocs(code, i + 1, &mut pending, &mut out);
            continue;
        }
        match (quote, c) {
            (Some(b'\''), b'\'') | (Some(b'"'), b'"') => quote = None,
            (Some(b'"') | None, b'\\') => {
                i += 2;
                continue;
            }
            (None, b'\'' | b'"') => quote = Some(c),
            (None, b'#') if i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b';' => {
                i = code[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            (None, b'<') if code[i..].starts_with("<<<") => {
                i += 3;
                continue;
            }
            (None, b'(') if b.get(i + 1) == Some(&b'(') => {
                arithmetic += 1;
                i += 2;
                continue;
            }
            (None, b')') if b.get(i + 1) == Some(&b')') && arithmetic > 0 => {
                arithmetic -= 1;
                i += 2;
                continue;
            }
            // `$((1<<3))` shifts; a here-document's `<<` is followed by its delimiter.
            (None, b'<')
                if b.get(i + 1) == Some(&b'<')
                    && arithmetic == 0
                    && !(i > 0 && b[i - 1].is_ascii_digit())
                    && !code[i + 2..]
                        .trim_start_matches(['-', ' ', '\t'])
                        .starts_with(|c: char| c.is_ascii_digit()) =>
            {
                let (delim, next) = heredoc_delimiter(code, i + 2);
                pending.extend(delim);
                i = next;
                continue;
            }
            _ => {}
        }
        if c == b'<'
            && let Some(end) = placeholder_end(b, i)
            && (i == 0 || !matches!(b[i - 1], b'<' | b'0'..=b'9'))
        {
            let quoted = quote.is_some();
            if !quoted || looks_like_placeholder(&code[i + 1..end - 1]) {
                out.push(Placeholder { at: i, end, quoted });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// Where `<name>` starting at `at` ends (one past `>`).
fn placeholder_end(b: &[u8], at: usize) -> Option<usize> {
    if !b.get(at + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut j = at + 1;
    while let Some(&c) = b.get(j) {
        let word = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
        // One space between words that start with a letter, never before `>`: `<in >out`
        // and `<dump.sql 2>&1` are redirections.
        let space = c == b' ' && b.get(j + 1).is_some_and(|n| n.is_ascii_alphabetic());
        if !(word || space) {
            break;
        }
        j += 1;
    }
    (b.get(j) == Some(&b'>')).then_some(j + 1)
}

fn looks_like_placeholder(name: &str) -> bool {
    name.bytes()
        .any(|c| matches!(c, b'-' | b'_' | b' ') || c.is_ascii_uppercase())
}

/// The delimiter of a here-document whose `<<` ends before `from` (`<<-`, quotes stripped),
/// and where scanning goes on.
fn heredoc_delimiter(code: &str, from: usize) -> (Option<String>, usize) {
    let rest = &code[from..];
    let trimmed = rest
        .strip_prefix('-')
        .unwrap_or(rest)
        .trim_start_matches([' ', '\t']);
    let skipped = rest.len() - trimmed.len();
    let len = trimmed
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | ')'))
        .unwrap_or(trimmed.len());
    let word: String = trimmed[..len]
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    let next = from + skipped + len;
    ((!word.is_empty()).then_some(word), next)
}

/// Skips the bodies of the pending here-documents from `from` (the start of the line after
/// their `<<`), collecting the placeholders in them as quoted; returns where code goes on.
fn skip_heredocs(
    code: &str,
    mut from: usize,
    pending: &mut Vec<String>,
    out: &mut Vec<Placeholder>,
) -> usize {
    for delim in std::mem::take(pending) {
        while from < code.len() {
            let line_end = code[from..].find('\n').map_or(code.len(), |n| from + n);
            let line = &code[from..line_end];
            let next = (line_end + 1).min(code.len());
            if line.trim_start_matches('\t') == delim {
                from = next;
                break;
            }
            let bytes = line.as_bytes();
            let mut j = 0;
            while j < bytes.len() {
                if bytes[j] == b'<'
                    && let Some(end) = placeholder_end(bytes, j)
                {
                    if looks_like_placeholder(&line[j + 1..end - 1]) {
                        out.push(Placeholder {
                            at: from + j,
                            end: from + end,
                            quoted: true,
                        });
                    }
                    j = end;
                } else {
                    j += 1;
                }
            }
            from = next;
        }
    }
    from
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
        "kubectl" | "oc" | super::model::KUBECTL_ALIAS => kubectl_files(args),
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
            .map(|h| &code[h.at..h.end])
            .collect();
        assert_eq!(found, ["<pod-name>", "<ns>"]);
        assert_eq!(
            placeholders("--from-file=vault.ca=<vault-ca-cert-file-path>").len(),
            1
        );
    }

    #[test]
    fn placeholders_in_quotes_here_documents_and_several_words() {
        let found = |code: &str| -> Vec<(String, bool)> {
            placeholders(code)
                .iter()
                .map(|h| (code[h.at..h.end].to_string(), h.quoted))
                .collect()
        };
        let s = |t: &str, q: bool| (t.to_string(), q);
        // HTML in quotes is text; a placeholder in quotes is still one to fill in.
        assert!(found("echo \"<h1>A</h1> <td>x</td>\" | html; sed 's/A/<b>A<\\/b>/'").is_empty());
        assert_eq!(
            found("export ENV=\"<insert-env-here>\" K='<API_KEY>'"),
            [s("<insert-env-here>", true), s("<API_KEY>", true)]
        );
        // Several words: one placeholder, not a redirection from `your`.
        assert_eq!(
            found("kubectl get rec <your cluster name>; curl x/<BDB UID>/upgrade"),
            [s("<your cluster name>", false), s("<BDB UID>", false)]
        );
        assert!(found("sort <in >out; tr a b <in.txt >o; cat <<<\"$x\"").is_empty());
        assert!(found("mysql <dump.sql 2>&1; kubectl apply -f - <pod.yaml 2>/dev/null").is_empty());
        // An arithmetic shift is no here-document: what follows is still code.
        assert_eq!(
            found("N=$((1<<3)); M=$((N << 2)); ((X = N<<M))\nkubectl logs <pod>"),
            [s("<pod>", false)]
        );
        // Here-document bodies are text; the command after the body is code again.
        assert_eq!(
            found(
                "cat <<'EOF' > a.yaml\n<html><b>x</b>\nname: <your-name>\nEOF\nkubectl logs <pod>"
            ),
            [s("<your-name>", true), s("<pod>", false)]
        );
        assert!(found("ls # then <pod-name>\necho $# <x").is_empty());
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
