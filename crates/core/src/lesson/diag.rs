//! Diagnostics with file positions, rendered like rustc so authors can jump to the mistake.

use std::fmt;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

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
    /// The text of the line the span points into, so the diagnostic renders on its own.
    pub source_line: Option<String>,
}

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
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if self.span.line == 0 {
            writeln!(f, "{path}: {}: {}", self.severity, self.message)?;
        } else {
            let (line, col) = (self.span.line, self.span.col);
            writeln!(
                f,
                "{path}:{line}:{col}: {}: {}",
                self.severity, self.message
            )?;
            if let Some(text) = &self.source_line {
                write_snippet(f, line, col, self.span.len, text)?;
            }
        }
        if let Some(help) = &self.help {
            let pad = " ".repeat(
                self.span.line.to_string().len().max(1) * usize::from(self.source_line.is_some()),
            );
            writeln!(f, "{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// The source line under a gutter, and carets under the offending characters, aligned by
/// display width so CJK text and tabs do not shift them.
fn write_snippet(
    f: &mut fmt::Formatter<'_>,
    line: usize,
    col: usize,
    len: usize,
    text: &str,
) -> fmt::Result {
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    let shown = text.replace('\t', "    ");
    let chars: Vec<char> = text.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let end = (start + len.max(1)).min(chars.len()).max(start);
    let before: String = chars[..start]
        .iter()
        .collect::<String>()
        .replace('\t', "    ");
    let marked: String = chars[start..end]
        .iter()
        .collect::<String>()
        .replace('\t', "    ");
    let carets = marked.width().max(1);
    writeln!(f, "{pad} |")?;
    writeln!(f, "{gutter} | {shown}")?;
    writeln!(
        f,
        "{pad} | {}{}",
        " ".repeat(before.width()),
        "^".repeat(carets)
    )
}

/// Maps byte offsets of a source text to 1-based lines and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Self { source, starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char(self.source, offset.min(self.source.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        (line, self.source[start..offset].chars().count() + 1)
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
        let text = self.line_text(line);
        let start = floor_char(self.source, start.min(self.source.len()));
        let end = floor_char(self.source, end.clamp(start, self.source.len()));
        let len = self.source[start..end]
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .count();
        Diagnostic {
            path: path.to_path_buf(),
            span: DiagSpan { line, col, len },
            severity,
            message: message.into(),
            help: None,
            source_line: Some(text.to_string()),
        }
    }
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
    fn summary_uses_singulars() {
        assert_eq!(summary(1, 0, 1), "1 error, 0 warnings in 1 file");
        assert_eq!(summary(2, 1, 3), "2 errors, 1 warning in 3 files");
    }
}
