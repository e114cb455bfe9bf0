//! Bash's own syntax check (`bash -n`) of every runnable cell, for `kubetutor check`: a cell
//! that cannot parse fails at once when it runs, so the author hears of it first. It spawns one
//! `bash -n` per cell, which is why it runs for files checked from disk and not inside the
//! pure `check_source` (parse + lint stay free of processes and fast on any input).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::diag::{Diagnostic, LineIndex, Severity};
use super::model::{Cell, Lesson};

/// Cells checked per file; a lesson past this (thousands of cells) is told so, not slowed.
pub const MAX_CELLS: usize = 500;

/// Where bash reports a syntax error: `bash: line N: syntax error ...` (also `eval: line N`).
/// Returns the line (1-based, in the code bash read) and the message from `syntax error` on;
/// the first one only, since later ones follow from it.
pub fn parse_error(stderr: &str) -> Option<(usize, String)> {
    stderr.lines().find_map(|l| {
        let at = l.find("syntax error")?;
        let before = l[..at].trim_end().strip_suffix(':')?;
        let num = before.rsplit_once("line ")?.1;
        Some((num.trim().parse().ok()?, l[at..].to_string()))
    })
}

/// One error per runnable cell bash cannot parse, on the line bash names, or a warning when
/// bash cannot be started (nothing was checked, and the report says so).
pub fn bash_errors(path: &Path, lesson: &Lesson, source: &str) -> Vec<Diagnostic> {
    let idx = LineIndex::new(source);
    let cells: Vec<&Cell> = lesson
        .cells()
        .into_iter()
        .filter(|c| c.is_runnable())
        .collect();
    let mut out = Vec::new();
    for cell in cells.iter().take(MAX_CELLS) {
        match bash_n(&cell.code) {
            Ok(None) => {}
            Ok(Some((line, message))) => {
                out.push(at_code_line(&idx, path, cell, line, readable(&message)))
            }
            Err(e) => {
                out.push(Diagnostic::file(
                    path,
                    Severity::Warning,
                    format!("bash syntax not checked: cannot start `bash -n`: {e}"),
                ));
                return out;
            }
        }
    }
    if cells.len() > MAX_CELLS {
        out.push(Diagnostic::file(
            path,
            Severity::Warning,
            format!(
                "bash syntax checked for the first {MAX_CELLS} of {} runnable cells only",
                cells.len()
            ),
        ));
    }
    out
}

/// `bash -n` over the code on stdin: `Ok(None)` when it parses.
fn bash_n(code: &str) -> std::io::Result<Option<(usize, String)>> {
    // Nothing runs: no startup file either (a non-interactive bash sources $BASH_ENV).
    let mut child = Command::new("bash")
        .arg("-n")
        .env_remove("BASH_ENV")
        .env_remove("ENV")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // A write error means bash stopped reading early (it exits at the first error); its
    // stderr still says why.
    let _ = stdin.write_all(code.as_bytes());
    drop(stdin);
    let done = child.wait_with_output()?;
    if done.status.success() {
        return Ok(None);
    }
    let stderr = String::from_utf8_lossy(&done.stderr);
    Ok(Some(
        parse_error(&stderr).unwrap_or_else(|| other_error(&stderr)),
    ))
}

/// A complaint of `bash -n` that is not worded `syntax error` (an unclosed quote): its line
/// when bash names one, else the cell's first.
fn other_error(stderr: &str) -> (usize, String) {
    let first = stderr.lines().next().unwrap_or("bash -n failed").trim();
    let first = first.strip_prefix("bash: ").unwrap_or(first);
    let numbered = first.strip_prefix("line ").and_then(|rest| {
        let (num, message) = rest.split_once(": ")?;
        Some((num.parse().ok()?, message.to_string()))
    });
    numbered.unwrap_or((1, first.to_string()))
}

/// The diagnostic on code line `line` (1-based) of `cell`, spanning that source line.
fn at_code_line(
    idx: &LineIndex,
    path: &Path,
    cell: &Cell,
    line: usize,
    message: String,
) -> Diagnostic {
    let code_lines = cell.code.lines().count().max(1);
    // An unexpected end of file is reported one past the last line: point at the last one.
    let line = line.clamp(1, code_lines);
    let source_line = super::lint::source_line_of(idx, cell, line - 1);
    let text = idx.line_text(source_line);
    // The line's text, not its indentation (a cell in a list is indented).
    let start = idx.line_start(source_line) + (text.len() - text.trim_start().len());
    let end = idx.line_start(source_line) + text.trim_end().len();
    let message = format!("bash: {message}");
    // A placeholder such as `<pod-name>` is a syntax error until the reader fills it in; the
    // placeholder has its own warning, so this one is a warning too, pointing at it.
    match super::files::placeholders(&cell.code)
        .iter()
        .find(|h| !h.quoted)
    {
        Some(hole) => idx
            .diag(path, Severity::Warning, start, end, message)
            .with_help(format!(
                "the cell has placeholders to fill in first (`{}`); until then bash stops it with exit 2",
                &cell.code[hole.at..hole.end]
            )),
        None => idx
            .diag(path, Severity::Error, start, end, message)
            .with_help("bash stops the cell there (exit 2) when it runs; fix the shell syntax"),
    }
}

/// Bash's message with its quotes made ours: `` `fi' `` becomes `` `fi` ``, and the backquote
/// token (bash's ``` ``' ```) is named in words.
fn readable(message: &str) -> String {
    let message = message.replace("matching ``'", "the closing backquote (`)");
    let mut out = String::with_capacity(message.len());
    let mut open = false;
    for c in message.chars() {
        match c {
            '`' if !open => open = true,
            '\'' if open => {
                open = false;
                out.push('`');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<Diagnostic> {
        let path = Path::new("/tmp/lesson.md");
        let parsed = super::super::parse::parse_full(path, src);
        bash_errors(path, &parsed.lesson, src)
    }

    #[test]
    fn names_the_line_bash_cannot_parse() {
        let src = "# T\n\n## S\n\n```sh {id=ok}\necho one\n```\n\n```sh {id=bad}\necho two\nif true; then\n  echo three\nfi fi\n```\n";
        let found = errors(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].span.line, 13);
        assert!(found[0].is_error());
        assert!(
            found[0]
                .message
                .contains("syntax error near unexpected token `fi`")
        );
    }

    #[test]
    fn an_unclosed_block_points_at_the_cells_last_line() {
        let src = "# T\n\n## S\n\n```sh\nif true; then\n  echo x\n```\n";
        let found = errors(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].span.line, 7);
        assert!(found[0].message.contains("unexpected end of file"));
    }

    #[test]
    fn heredocs_placeholders_and_display_only_cells() {
        let src = "# T\n\n## S\n\n```sh\ncat <<EOF\nfi fi )\nEOF\n```\n\n```sh\nkubectl logs <pod-name>\n```\n\n```sh {run=false}\nfi fi\n```\n";
        let found = errors(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].span.line, 12,
            "the placeholder line, not the heredoc"
        );
        assert!(
            !found[0].is_error(),
            "a placeholder warns, as its own finding does"
        );
        assert!(found[0].help.as_deref().unwrap().contains("`<pod-name>`"));
    }

    #[test]
    fn bash_quotes_become_ours() {
        assert_eq!(
            readable("syntax error near unexpected token `newline'"),
            "syntax error near unexpected token `newline`"
        );
        assert_eq!(
            readable("unexpected EOF while looking for matching ``'"),
            "unexpected EOF while looking for the closing backquote (`)"
        );
        assert_eq!(
            other_error("bash: line 3: unexpected EOF while looking for matching `\"'\n"),
            (
                3,
                "unexpected EOF while looking for matching `\"'".to_string()
            )
        );
        assert_eq!(other_error("bash: oops\n"), (1, "oops".to_string()));
    }

    #[test]
    fn finds_a_syntax_error_and_its_line() {
        let tail = "a\nbash: eval: line 2: syntax error near unexpected token `then'\nbash: eval: line 2: `  if then'\n";
        assert_eq!(
            parse_error(tail),
            Some((2, "syntax error near unexpected token `then'".to_string()))
        );
        let eof = "bash: line 4: syntax error: unexpected end of file\n";
        assert_eq!(parse_error(eof).map(|(n, _)| n), Some(4));
        assert_eq!(parse_error("grep: syntax error in pattern\n"), None);
    }
}
