//! Diagnostics with file positions, rendered like rustc (by annotate-snippets) so authors can
//! jump to the mistake.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

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
    /// The span's line, so the diagnostic renders on its own: the whole line up to
    /// [`WHOLE_LINE`] bytes (shared by the findings on it), else [`WINDOW`] characters around
    /// the span (a copy of a 1 MB line per finding made `check` quadratic).
    pub source_line: Option<Arc<str>>,
    /// Characters of the line left out before `source_line` (0 when it starts the line).
    pub source_from: usize,
    /// Whether the line goes on after `source_line`.
    pub source_cut: bool,
    /// Non-zero for a summary that stands for this many findings left out of its line.
    pub folded: usize,
}

/// Lines up to this many bytes are shown whole (annotate-snippets fits them to the width).
pub const WHOLE_LINE: usize = 1024;
/// Characters of a longer line a diagnostic shows: a window around its column.
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
    /// Plain text, as `check` prints it when its output is not a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl Diagnostic {
    /// Rendered like rustc by annotate-snippets: the message, ` --> path:line:col`, the
    /// source line with carets under the span and the help; with rustc's colours when
    /// `styled`. Everything quoted from the lesson (its path, the message, the source line, the
    /// help) is escaped: a diagnostic never sends a lesson's control bytes to the terminal.
    pub fn render(&self, styled: bool) -> String {
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = self.render_with(&renderer);
        out.push('\n');
        out
    }

    /// One line, `path:line:col: error: message` (rustc's short form): for a status line.
    pub fn short(&self) -> String {
        let path = self.path.display().to_string();
        let place = match self.span.line {
            0 => controls(&path).into_owned(),
            line => format!("{}:{line}:{}", controls(&path), self.span.col),
        };
        let message = shorten(&self.message);
        format!("{place}: {}: {}", self.severity, controls(&message))
    }

    fn render_with(&self, renderer: &Renderer) -> String {
        let path = self.path.display().to_string();
        let path = controls(&path);
        let message = shorten(&self.message);
        let message = controls(&message);
        let help = self.help.as_deref().map(shorten);
        let help = help.as_deref().map(controls);
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let (line, col) = (self.span.line, self.span.col);
        let origin = Origin::path(path.as_ref());
        let shown = self
            .source_line
            .as_deref()
            .filter(|_| line > 0)
            .map(|text| {
                let col = col.saturating_sub(self.source_from);
                Shown::new(
                    text,
                    col,
                    self.span.len,
                    self.source_from > 0,
                    self.source_cut,
                )
            });
        let title = level.clone().primary_title(message.as_ref());
        let mut report = match &shown {
            // Whole and as it is up to the span: annotate-snippets names the place itself.
            Some(shown) if shown.exact_column => vec![
                title.element(
                    Snippet::source(shown.text.as_str())
                        .path(path.as_ref())
                        .line_start(line)
                        .annotation(AnnotationKind::Primary.span(shown.span.clone())),
                ),
            ],
            // A window of a long line, or escapes before the span: the column it would count
            // is not the line's, so the place is given and the window shown under it.
            Some(shown) => vec![
                title.element(origin.line(line).char_column(col)),
                Group::with_level(level).element(
                    Snippet::source(shown.text.as_str())
                        .line_start(line)
                        .annotation(AnnotationKind::Primary.span(shown.span.clone())),
                ),
            ],
            // About the command line, not a file (`--only zz`).
            None if path.is_empty() => vec![Group::with_title(title)],
            None if line == 0 => vec![title.element(origin)],
            None => vec![title.element(origin.line(line).char_column(col))],
        };
        if let Some(help) = &help {
            let last = report.pop().expect("a report has a group");
            report.push(last.element(Level::HELP.message(help.as_ref())));
        }
        renderer.render(&report)
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

/// The source text a diagnostic shows, escaped, with `…` where the line goes on, and the byte
/// range of the span in it.
struct Shown {
    text: String,
    span: std::ops::Range<usize>,
    /// Whether the text up to the span is the line's own (not cut, nothing escaped), so a
    /// column counted in it is the line's.
    exact_column: bool,
}

impl Shown {
    /// `col` is 1-based within `window`; `len` characters are marked (at least one, even
    /// past the end of the line).
    fn new(window: &str, col: usize, len: usize, cut_before: bool, cut_after: bool) -> Self {
        let start = byte_of_char(window, col.saturating_sub(1));
        let end = byte_of_char(&window[start..], len) + start;
        let before = controls(&window[..start]);
        let exact_column = !cut_before && matches!(before, std::borrow::Cow::Borrowed(_));
        let mut text = String::with_capacity(window.len() + 8);
        if cut_before {
            text.push('…');
        }
        text.push_str(&before);
        let from = text.len();
        text.push_str(&controls(&window[start..end]));
        let to = text.len();
        text.push_str(&controls(&window[end..]));
        if cut_after {
            text.push('…');
        }
        // An empty span (a missing value at the end of a line) still gets one caret: under
        // the character there (whole, `中` is three bytes), or one past the end.
        let to = if to == from {
            from + text[from..].chars().next().map_or(1, char::len_utf8)
        } else {
            to
        };
        Self {
            text,
            span: from..to,
            exact_column,
        }
    }
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
    /// The last whole line handed to a diagnostic (line, text): findings on it share it.
    shared: std::cell::RefCell<Option<(usize, Arc<str>)>>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        Self {
            source,
            starts,
            last: std::cell::Cell::new((0, 1, 1)),
            shared: std::cell::RefCell::new(None),
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

    /// `from..to` of `line` as a diagnostic's source text: one copy per whole line, however
    /// many findings it has.
    fn shared_text(&self, line: usize, from: usize, to: usize) -> Arc<str> {
        let whole = from == self.line_start(line) && to == from + self.line_text(line).len();
        if !whole {
            return Arc::from(&self.source[from..to]);
        }
        let mut shared = self.shared.borrow_mut();
        match &*shared {
            Some((l, text)) if *l == line => text.clone(),
            _ => {
                let text: Arc<str> = Arc::from(&self.source[from..to]);
                *shared = Some((line, text.clone()));
                text
            }
        }
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
        let (from, to) = if line_end - line_start <= WHOLE_LINE {
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
            source_line: Some(self.shared_text(line, from, to)),
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
    use unicode_width::UnicodeWidthStr;

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
            "error: bad duration\n --> l.md:2:14\n  |\n2 | ```sh {retry=abc}\n  |              ^^^\n  |\n  = help: use 30s\n"
        );
    }

    #[test]
    fn styled_is_the_plain_text_in_rustc_colours() {
        let src = "```sh {retry=abc}\n";
        let idx = LineIndex::new(src);
        let d = idx
            .diag(Path::new("l.md"), Severity::Error, 13, 16, "bad")
            .with_help("fix");
        let styled = d.render(true);
        assert!(styled.contains("\x1b["), "{styled:?}");
        assert_eq!(crate::ansi::strip_sgr(&styled), d.render(false));
    }

    #[test]
    fn whole_file_and_folded_findings_name_the_place() {
        let d = Diagnostic::file(Path::new("l.md"), Severity::Warning, "no title").with_help("add");
        assert_eq!(d.to_string(), "warning: no title\n--> l.md\n = help: add\n");
        let idx = LineIndex::new("a\nbb cc\n");
        let folded = idx.folded(Path::new("l.md"), Severity::Error, 5, 12);
        let text = folded.to_string();
        assert!(
            text.starts_with("error: 12 more findings on this line\n") && text.contains("l.md:2:4"),
            "{text}"
        );
    }

    #[test]
    fn the_short_form_is_one_line_with_the_place() {
        let src = "a\n```sh {retry=abc}\n";
        let idx = LineIndex::new(src);
        let d = idx
            .diag(Path::new("l.md"), Severity::Error, 15, 18, "bad duration")
            .with_help("use 30s");
        assert_eq!(d.short(), "l.md:2:14: error: bad duration");
        let long = format!("{}retry=abc", "x ".repeat(3000));
        let idx = LineIndex::new(&long);
        let d = idx.diag(Path::new("l.md"), Severity::Warning, 6000, 6009, "m");
        assert_eq!(d.short(), "l.md:1:6001: warning: m");
    }

    #[test]
    fn findings_on_one_line_share_its_text() {
        let src = format!("{}\n", "word ".repeat(150));
        let idx = LineIndex::new(&src);
        let a = idx.diag(Path::new("l.md"), Severity::Error, 0, 4, "a");
        let b = idx.diag(Path::new("l.md"), Severity::Error, 500, 504, "b");
        let (a, b) = (a.source_line.unwrap(), b.source_line.unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.len(), 750);
    }

    #[test]
    fn carets_align_under_wide_characters() {
        let src = "中文 $X";
        let idx = LineIndex::new(src);
        let start = src.find('$').unwrap_or(0);
        let text = idx
            .diag(Path::new("f"), Severity::Warning, start, start + 2, "m")
            .to_string();
        assert_carets_under(&text, "$X");
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
        assert!(text.contains(&format!("l.md:1:{}", start + 1)), "{text}");
        let (source, carets) = assert_carets_under(&text, "abc");
        assert!(source.contains(" | …") && source.ends_with('…'), "{text}");
        assert_eq!(carets.matches('^').count(), 3);
    }

    #[test]
    fn a_line_longer_than_the_width_is_fitted_around_the_span() {
        let src = format!(
            "```sh {{{}retry=abc {}}}\n",
            "a=b ".repeat(100),
            "c=d ".repeat(100)
        );
        let idx = LineIndex::new(&src);
        let start = src.find("abc").unwrap_or(0);
        let text = idx
            .diag(Path::new("l.md"), Severity::Error, start, start + 3, "bad")
            .to_string();
        assert!(text.contains(&format!("l.md:1:{}", start + 1)), "{text}");
        let (source, _) = assert_carets_under(&text, "abc");
        assert!(source.chars().count() < 200, "{text}");
    }

    /// The carets on the line under the source line start in the column of `word`; the two
    /// lines.
    fn assert_carets_under<'t>(text: &'t str, word: &str) -> (&'t str, &'t str) {
        let lines: Vec<&str> = text.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.contains(" | ") && l.contains(word))
            .unwrap_or_else(|| panic!("no source line with {word}: {text}"));
        let (source, carets) = (lines[i], lines[i + 1]);
        let at = source.find(word).unwrap_or(0);
        let caret = carets.find('^').unwrap_or(0);
        assert_eq!(source[..at].width(), carets[..caret].width(), "{text}");
        (source, carets)
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
        // The escapes are wider than the bytes: the place named is still the line's own.
        assert!(
            text.contains(&format!(":1:{}", start_col(src, start))),
            "{text}"
        );
    }

    fn start_col(src: &str, byte: usize) -> usize {
        src[..byte].chars().count() + 1
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
