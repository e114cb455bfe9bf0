//! How `kubetutor run` prints: step headings, commands, indented output and one result line
//! per cell that names the cell as `file:line` and says why it failed.

use std::io::Write;
use std::time::Duration;

use crate::exec::Outcome;
use crate::lesson::escape::controls;
use crate::lesson::{Cell, Lesson};

pub struct Style {
    color: bool,
}

impl Style {
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        let color = crate::settings::color_allowed() && std::io::stdout().is_terminal();
        Self { color }
    }

    /// Every message line goes through here; lesson text in it (titles, ids, code, hints,
    /// error messages) is escaped, so `run` never prints a lesson's control bytes.
    fn paint(&self, code: &str, text: &str) -> String {
        let text = controls(text);
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn heading(&self, text: &str) -> String {
        self.paint("1", &format!("== {text}"))
    }

    pub fn command(&self, cell: &Cell) -> String {
        let mut s = String::new();
        for (i, line) in cell.code.lines().enumerate() {
            let prompt = if i == 0 { "$ " } else { "> " };
            s.push_str(&self.paint("36", &format!("{prompt}{line}")));
            s.push('\n');
        }
        s
    }

    pub fn ok(&self, text: &str) -> String {
        format!("{} {}", self.paint("32", "✓"), controls(text))
    }

    pub fn fail(&self, text: &str) -> String {
        format!("{} {}", self.paint("31", "✗"), controls(text))
    }

    pub fn skip(&self, text: &str) -> String {
        format!("{} {}", self.paint("33", "-"), controls(text))
    }

    /// Plain text (a hint, a job's id) with lesson bytes escaped.
    pub fn plain<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        controls(text)
    }
}

/// Writes output with every line indented, whatever the bytes are.
pub struct Indent {
    at_line_start: bool,
    prefix: Vec<u8>,
}

impl Indent {
    pub fn new(prefix: impl Into<Vec<u8>>) -> Self {
        Self {
            at_line_start: true,
            prefix: prefix.into(),
        }
    }

    pub fn write(&mut self, w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            if self.at_line_start {
                w.write_all(&self.prefix)?;
            }
            w.write_all(&bytes[start..=nl])?;
            self.at_line_start = true;
            start = nl + 1;
        }
        if start < bytes.len() {
            if self.at_line_start {
                w.write_all(&self.prefix)?;
            }
            w.write_all(&bytes[start..])?;
            self.at_line_start = false;
        }
        Ok(())
    }

    /// Ends an unterminated last line.
    pub fn finish(&mut self, w: &mut impl Write) -> std::io::Result<()> {
        if !self.at_line_start {
            w.write_all(b"\n")?;
            self.at_line_start = true;
        }
        Ok(())
    }
}

/// `path:line` of a cell (its opening fence).
pub fn location(lesson: &Lesson, line: usize) -> String {
    format!("{}:{line}", lesson.path.display())
}

pub fn took(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}

/// The result line's text for a cell that did not pass, with its location. `tail` is the end
/// of its (last attempt's) output, used to find e.g. which command was not found.
pub fn failure(
    lesson: &Lesson,
    cell: &Cell,
    outcome: &Outcome,
    duration: Duration,
    tail: &[u8],
) -> String {
    let mut line = cell.span.line;
    let why = match outcome {
        Outcome::Failed {
            code: Some(127), ..
        } => match not_found(tail) {
            Some((n, name)) => {
                line += n;
                format!("command not found: {name} (exit 127)")
            }
            None => "command not found (exit 127)".to_string(),
        },
        Outcome::Failed {
            code: Some(126), ..
        } => "permission denied or not executable (exit 126)".into(),
        Outcome::Failed { code: Some(2), .. } if syntax_error(tail).is_some() => {
            let (n, what) = syntax_error(tail).unwrap_or_default();
            line += n;
            format!("{what} (exit 2)")
        }
        Outcome::Failed { code: Some(c), .. } => format!("exit {c}"),
        Outcome::Failed { signal, .. } => format!("killed by signal {}", signal.unwrap_or(0)),
        Outcome::Cancelled => "cancelled".into(),
        Outcome::TimedOut { after } => {
            format!("timed out after {}", humantime::format_duration(*after))
        }
        Outcome::RetriesExhausted { attempts } => {
            let retry = humantime::format_duration(cell.attrs.retry);
            format!(
                "verify never passed ({attempts} attempts in {retry}): last output: {}",
                last_lines(tail, 3)
            )
        }
        Outcome::Error { message } => message.clone(),
        Outcome::Refused { message } => message.clone(),
        Outcome::Skipped { reason } => format!("skipped: {reason}"),
        Outcome::Passed => "passed".into(),
    };
    format!(
        "{} [{}] {why} ({})",
        location(lesson, line),
        cell.id,
        took(duration)
    )
}

/// Finds bash's `line N: NAME: command not found` in the output.
fn not_found(tail: &[u8]) -> Option<(usize, String)> {
    let text = String::from_utf8_lossy(tail);
    text.lines().rev().find_map(|l| {
        let rest = l.strip_suffix(": command not found")?;
        let at = rest.find("line ")?;
        let (num, name) = rest[at + 5..].split_once(": ")?;
        Some((num.trim().parse().ok()?, name.to_string()))
    })
}

/// Finds bash's `line N: syntax error ...` in the output.
fn syntax_error(tail: &[u8]) -> Option<(usize, String)> {
    crate::lesson::syntax::parse_error(&String::from_utf8_lossy(tail))
}

fn last_lines(tail: &[u8], n: usize) -> String {
    let text = super::transcript::strip_ansi(tail);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return "(none)".into();
    }
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indent_handles_partial_lines_and_binary() {
        let mut out = Vec::new();
        let mut ind = Indent::new("  ");
        ind.write(&mut out, b"ab").unwrap();
        ind.write(&mut out, b"c\nd\xff\n\ne").unwrap();
        ind.finish(&mut out).unwrap();
        assert_eq!(out, b"  abc\n  d\xff\n  \n  e\n");
    }

    #[test]
    fn finds_the_missing_command_and_its_line() {
        let tail = b"ok\nbash: line 3: kubectll: command not found\n";
        assert_eq!(not_found(tail), Some((3, "kubectll".to_string())));
        assert_eq!(not_found(b"nothing"), None);
    }
}
