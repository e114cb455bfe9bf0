//! Diagnostics with file positions, rendered like rustc so authors can jump to the mistake.

use std::fmt;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

use super::escape::controls;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where a diagnostic points: 1-based line and column (in characters), and the length of the
/// offending text in characters (0 when it points at a whole file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DiagSpan {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

/// One finding about a lesson file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub span: DiagSpan,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The text around the span on its line, so the diagnostic renders on its own: at most
    /// [`WINDOW`] characters, however long the line (a copy of a 1 MB line per finding made
    /// `check` quadratic).
    pub source_line: Option<String>,
    /// Characters of the line left out before `source_line` (0 when it starts the line).
    pub source_from: usize,
    /// Whether the line goes on after `source_line`.
    pub source_cut: bool,
    /// Non-zero for a summary that stands for this many findings left out of its line.
    pub folded: usize,
}

/// Characters of a source line a diagnostic shows: a window around its column.
pub const WINDOW: usize = 100;
/// Characters shown before the column when the line is cut.
const BEFORE: usize = 40;
/// Findings shown per source line; the rest are counted in one more finding.
pub const MAX_PER_LINE: usize = 10;

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A diagnostic about a whole file (no line to show).
    pub fn file(path: &Path, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            span: DiagSpan::default(),
            severity,
            message: message.into(),
            help: None,
            source_line: None,
            source_from: 0,
            source_cut: false,
            folded: 0,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Everything quoted from the lesson (its path, the message, the source line, the help)
    /// is escaped: a diagnostic never sends a lesson's control bytes to the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display().to_string();
        let path = controls(&path);
        let short = shorten(&self.message);
        let message = controls(&short);
        if self.span.line == 0 {
            writeln!(f, "{path}: {}: {message}", self.severity)?;
        } else {
            let (line, col) = (self.span.line, self.span.col);
            writeln!(f, "{path}:{line}:{col}: {}: {message}", self.severity)?;
            if let Some(text) = &self.source_line {
                let col = col.saturating_sub(self.source_from);
                let shown = Shown {
                    text,
                    cut_before: self.source_from > 0,
                    cut_after: self.source_cut,
                };
                write_snippet(f, line, col, self.span.len, shown)?;
            }
        }
        if let Some(help) = &self.help {
            let pad = " ".repeat(
                self.span.line.to_string().len().max(1) * usize::from(self.source_line.is_some()),
            );
            writeln!(f, "{pad} = help: {}", controls(&shorten(help)))?;
        }
        Ok(())
    }
}

/// Characters of a message or help shown: they quote lesson text (an unknown attribute, a
/// value), which may be a whole 1 MB line.
const MAX_MESSAGE: usize = 300;

/// `text` cut in the middle to about [`MAX_MESSAGE`] characters (start and end kept).
fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_MESSAGE {
        return text.into();
    }
    let head = byte_of_char(text, MAX_MESSAGE * 2 / 3);
    let tail = back_chars(&text[head..], MAX_MESSAGE / 4) + head;
    if tail <= head {
        return text.into();
    }
    format!("{}…{}", &text[..head], &text[tail..]).into()
}

/// A window of a source line and whether the line goes on beyond it on either side.
struct Shown<'a> {
    text: &'a str,
    cut_before: bool,
    cut_after: bool,
}

/// The source line under a gutter, and carets under the offending characters, aligned by
/// display width so CJK text, tabs and escaped control bytes do not shift them. `col` is
/// 1-based within the window.
fn write_snippet(
    f: &mut fmt::Formatter<'_>,
    line: usize,
    col: usize,
    len: usize,
    shown: Shown<'_>,
) -> fmt::Result {
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let text = shown.text;
    let show = |s: &str| controls(s).replace('\t', "    ");
    let start = byte_of_char(text, col.saturating_sub(1));
    let end = byte_of_char(&text[start..], len.max(1)) + start;
    let (lead, tail) = (
        if shown.cut_before { "…" } else { "" },
        if shown.cut_after { "…" } else { "" },
    );
    let before = format!("{lead}{}", show(&text[..start]));
    let carets = show(&text[start..end]).width().max(1);
    writeln!(f, "{pad} |")?;
    writeln!(f, "{gutter} | {lead}{}{tail}", show(text))?;
    writeln!(
        f,
        "{pad} | {}{}",
        " ".repeat(before.width()),
        "^".repeat(carets)
    )
}

/// Byte offset of the `n`th character of `s` (its length when `s` is shorter).
fn byte_of_char(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Keeps [`MAX_PER_LINE`] findings per source line (the first ones, which the rest usually
/// follow from) and replaces the others by one warning that counts them, so a line with
/// thousands of mistakes costs a screenful, not megabytes. `diags` must be sorted by line.
pub fn cap_per_line(diags: &mut Vec<Diagnostic>) {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len().min(1024));
    // Where the current line's findings start, how many are shown, and its summary.
    let (mut run_start, mut shown, mut more): (usize, usize, Option<usize>) = (0, 0, None);
    for d in diags.drain(..) {
        let same = out
            .get(run_start)
            .is_some_and(|first| first.span.line == d.span.line && first.path == d.path)
            && d.span.line > 0;
        if !same {
            (run_start, shown, more) = (out.len(), 0, None);
        }
        if d.folded == 0 && shown < MAX_PER_LINE {
            shown += 1;
            out.push(d);
            continue;
        }
        let n = d.folded.max(1);
        match more {
            Some(i) => {
                let m = &mut out[i];
                m.folded += n;
                m.message = more_message(m.folded);
                if d.is_error() {
                    m.severity = Severity::Error;
                }
            }
            None => {
                // At the first left-out one's column: sorting again keeps it after those shown.
                let mut m = Diagnostic::file(&d.path, d.severity, more_message(n));
                m.span = DiagSpan {
                    line: d.span.line,
                    col: d.span.col,
                    len: 0,
                };
                m.folded = n;
                more = Some(out.len());
                out.push(m);
            }
        }
    }
    *diags = out;
}

fn more_message(n: usize) -> String {
    if n == 1 {
        "1 more finding on this line".into()
    } else {
        format!("{n} more findings on this line")
    }
}

/// Maps byte offsets of a source text to 1-based lines and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// The last answer of `line_col` (offset, line, column): findings come in source order,
    /// so the next column is counted from there, not from the start of a long line again.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        Self {
            source,
            starts,
            last: std::cell::Cell::new((0, 1, 1)),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char(self.source, offset.min(self.source.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let (last_off, last_line, last_col) = self.last.get();
        let (from, col) = if last_line == line && last_off <= offset {
            (last_off, last_col)
        } else {
            (self.starts[line - 1], 1)
        };
        let col = col + self.source[from..offset].chars().count();
        self.last.set((offset, line, col));
        (line, col)
    }

    /// Byte offset where a 1-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.source.len())
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.source.len(), |&e| e - 1);
        self.source[start..end.max(start)].trim_end_matches('\r')
    }

    /// A summary standing for `n` findings left out of the line of byte `at` (folded into
    /// one count by [`cap_per_line`]): callers use it past [`MAX_PER_LINE`] findings on a
    /// line, so those cost no message, window or allocation each.
    pub fn folded(&self, path: &Path, severity: Severity, at: usize, n: usize) -> Diagnostic {
        let (line, col) = self.line_col(at);
        let mut d = Diagnostic::file(path, severity, more_message(n));
        d.span = DiagSpan { line, col, len: 0 };
        d.folded = n;
        d
    }

    /// A diagnostic pointing at `start..end` (byte offsets), clipped to the first line.
    pub fn diag(
        &self,
        path: &Path,
        severity: Severity,
        start: usize,
        end: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, col) = self.line_col(start);
        let line_start = self.line_start(line);
        let line_end = line_start + self.line_text(line).len();
        let start = floor_char(self.source, start.clamp(line_start, line_end));
        let end = floor_char(self.source, end.clamp(start, line_end));
        // Only the window is looked at: the cost of a finding does not grow with its line.
        let (from, to) = if line_end - line_start <= WINDOW {
            (line_start, line_end)
        } else {
            let from = back_chars(&self.source[line_start..start], BEFORE) + line_start;
            (
                from,
                forward_chars(&self.source[from..line_end], WINDOW) + from,
            )
        };
        let len = self.source[start..end.min(to)].chars().count();
        let source_from = (col - 1).saturating_sub(self.source[from..start].chars().count());
        Diagnostic {
            path: path.to_path_buf(),
            span: DiagSpan { line, col, len },
            severity,
            message: message.into(),
            help: None,
            source_line: Some(self.source[from..to].to_string()),
            source_from,
            source_cut: to < line_end,
            folded: 0,
        }
    }
}

/// Byte offset in `s` where its last `n` characters start.
fn back_chars(s: &str, n: usize) -> usize {
    s.char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Byte length of the first `n` characters of `s`.
fn forward_chars(s: &str, n: usize) -> usize {
    byte_of_char(s, n)
}

/// The largest char boundary at or below `i`.
pub(crate) fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// "N errors, N warnings in N files", with singulars where they read better.
pub fn summary(errors: usize, warnings: usize, files: usize) -> String {
    fn n(count: usize, word: &str) -> String {
        if count == 1 {
            format!("1 {word}")
        } else {
            format!("{count} {word}s")
        }
    }
    format!(
        "{}, {} in {}",
        n(errors, "error"),
        n(warnings, "warning"),
        n(files, "file")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc_with_carets_under_the_text() {
        let src = "a\n```sh {retry=abc}\n";
        let idx = LineIndex::new(src);
        let start = src.find("abc").unwrap_or(0);
        let d = idx
            .diag(
                Path::new("l.md"),
                Severity::Error,
                start,
                start + 3,
                "bad duration",
            )
            .with_help("use 30s");
        let text = d.to_string();
        assert_eq!(
            text,
            "l.md:2:14: error: bad duration\n  |\n2 | ```sh {retry=abc}\n  |              ^^^\n  = help: use 30s\n"
        );
    }

    #[test]
    fn carets_align_under_wide_characters() {
        let src = "中文 $X";
        let idx = LineIndex::new(src);
        let start = src.find('$').unwrap_or(0);
        let text = idx
            .diag(Path::new("f"), Severity::Warning, start, start + 2, "m")
            .to_string();
        assert!(text.contains("\n  |      ^^\n"), "{text}");
    }

    #[test]
    fn line_col_handles_offsets_past_the_end_and_inside_chars() {
        let src = "ab\n中c";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(4), (2, 1));
        assert_eq!(idx.line_col(999), (2, 3));
        assert_eq!(idx.line_text(2), "中c");
        assert_eq!(idx.line_text(7), "");
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        let src = format!(
            "```sh {{{}retry=abc {}}}\n",
            "a=b ".repeat(5000),
            "c=d ".repeat(5000)
        );
        let idx = LineIndex::new(&src);
        let start = src.find("abc").unwrap_or(0);
        let d = idx.diag(Path::new("l.md"), Severity::Error, start, start + 3, "bad");
        assert_eq!(d.span.col, start + 1);
        let text = d.to_string();
        assert!(text.len() < 400, "{}", text.len());
        let lines: Vec<&str> = text.lines().collect();
        assert_carets_under(&text, "abc");
        assert!(
            lines[2].contains(" | …") && lines[2].ends_with('…'),
            "{text}"
        );
        assert_eq!(lines[3].matches('^').count(), 3);
    }

    /// The carets on the line under the source line start in the column of `word`.
    fn assert_carets_under(text: &str, word: &str) {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines[2].find(word).unwrap_or(0);
        let caret = lines[3].find('^').unwrap_or(0);
        assert_eq!(
            lines[2][..at].chars().count(),
            lines[3][..caret].chars().count(),
            "{text}"
        );
    }

    #[test]
    fn control_bytes_are_escaped_and_carets_still_align() {
        let src = "```sh {\x1b]0;PWNED\x07 \u{9b}2J retry=abc}\n";
        let idx = LineIndex::new(src);
        let start = src.find("abc").unwrap_or(0);
        let msg = "unknown attribute `\x1b]52;c;eA==\x07`";
        let d = idx
            .diag(
                Path::new("l\x1b[2J.md"),
                Severity::Error,
                start,
                start + 3,
                msg,
            )
            .with_help("\x1b[?1049h");
        let text = d.to_string();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert_carets_under(&text, "abc");
    }

    #[test]
    fn findings_are_capped_per_line() {
        let src = format!("{}\nnext\n", "x ".repeat(3000));
        let idx = LineIndex::new(&src);
        let mut diags: Vec<Diagnostic> = (0..3000)
            .map(|i| idx.diag(Path::new("l"), Severity::Warning, 2 * i, 2 * i + 1, "w"))
            .collect();
        diags.push(idx.diag(Path::new("l"), Severity::Error, 5999, 6000, "e"));
        diags.push(idx.diag(Path::new("l"), Severity::Warning, 6001, 6002, "n"));
        cap_per_line(&mut diags);
        assert_eq!(diags.len(), MAX_PER_LINE + 2);
        let more = &diags[MAX_PER_LINE];
        assert_eq!(
            more.message,
            format!("{} more findings on this line", 3001 - MAX_PER_LINE)
        );
        assert!(more.is_error(), "a dropped error still fails the check");
        assert_eq!(diags[MAX_PER_LINE + 1].span.line, 2);
    }

    #[test]
    fn columns_are_right_in_any_order() {
        let src = "中文中文 a b c\nxyz 中 q";
        let idx = LineIndex::new(src);
        let offsets: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        let fresh = |o: usize| LineIndex::new(src).line_col(o);
        for &o in offsets
            .iter()
            .rev()
            .chain(&offsets)
            .chain(offsets.iter().step_by(3))
        {
            assert_eq!(idx.line_col(o), fresh(o), "{o}");
        }
    }

    #[test]
    fn long_messages_are_cut_in_the_middle() {
        let word = "中".repeat(50_000);
        let d = Diagnostic::file(
            Path::new("l"),
            Severity::Error,
            format!("unknown `{word}` attribute"),
        )
        .with_help(format!("did you mean `{word}`?"));
        let text = d.to_string();
        assert!(
            text.chars().count() < 2 * MAX_MESSAGE + 60,
            "{}",
            text.len()
        );
        assert!(
            text.contains("` attribute") && text.contains("unknown `中"),
            "{text}"
        );
    }

    #[test]
    fn summary_uses_singulars() {
        assert_eq!(summary(1, 0, 1), "1 error, 0 warnings in 1 file");
        assert_eq!(summary(2, 1, 3), "2 errors, 1 warning in 3 files");
    }
}
