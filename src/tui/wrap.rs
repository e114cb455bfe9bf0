//! Word wrapping of styled text by display width: CJK and emoji take two columns and may
//! break between any two characters; other words break at whitespace, and a word longer
//! than the line is split.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// A piece of styled text; `"\n"` forces a line break.
pub type Piece = (String, Style);

/// Wrap pieces into lines of at most `width` columns, each prefixed with `first` (first line)
/// or `rest` (the others). Prefixes count against the width.
pub fn wrap(
    pieces: &[Piece],
    width: usize,
    first: &[Span<'static>],
    rest: &[Span<'static>],
) -> Vec<Line<'static>> {
    let mut out = Lines {
        lines: Vec::new(),
        current: first.to_vec(),
        used: spans_width(first),
        rest: rest.to_vec(),
        width,
        pending_space: None,
        content: false,
    };
    for (text, style) in pieces {
        for atom in atoms(text) {
            out.push(atom, *style);
        }
    }
    out.finish()
}

/// A line kept as it is when it fits, else wrapped under its own indent plus two columns (its
/// line style is carried into the spans), so a pane line is never cut.
pub fn fit_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width || width < 4 {
        return vec![line];
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let indent = text.len() - text.trim_start_matches(' ').len();
    let mut pieces: Vec<Piece> = line
        .spans
        .iter()
        .map(|s| (s.content.to_string(), line.style.patch(s.style)))
        .collect();
    if let Some(first) = pieces.iter_mut().find(|(t, _)| !t.trim().is_empty()) {
        first.0 = first.0.trim_start_matches(' ').to_string();
    }
    let first = [Span::raw(" ".repeat(indent))];
    let rest = [Span::raw(" ".repeat((indent + 2).min(width / 2)))];
    wrap(&pieces, width, &first, &rest)
}

/// Split a code line at the width, keeping every character (code is not reflowed).
pub fn hard_wrap(
    pieces: &[Piece],
    width: usize,
    first: &[Span<'static>],
    rest: &[Span<'static>],
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut current = first.to_vec();
    let mut used = spans_width(first);
    let rest_width = spans_width(rest);
    for (text, style) in pieces {
        let mut chunk = String::new();
        for (g, gw) in super::width::graphemes(text) {
            if used + gw > width && used > rest_width {
                current.push(Span::styled(std::mem::take(&mut chunk), *style));
                lines.push(Line::from(std::mem::replace(&mut current, rest.to_vec())));
                used = rest_width;
            }
            chunk.push_str(g);
            used += gw;
        }
        if !chunk.is_empty() {
            current.push(Span::styled(chunk, *style));
        }
    }
    lines.push(Line::from(current));
    lines
}

pub fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

enum Atom<'a> {
    Space,
    Break,
    Word(&'a str),
}

/// Punctuation that closes: a line never starts with it (kinsoku shori), so it is kept with
/// the character before it.
fn closes(g: &str) -> bool {
    matches!(
        g,
        "。" | "，"
            | "、"
            | "；"
            | "："
            | "！"
            | "？"
            | "）"
            | "」"
            | "』"
            | "】"
            | "》"
            | "〉"
            | "〕"
            | "”"
            | "’"
            | "…"
            | "・"
            | "ー"
    )
}

/// Split text into words, runs of whitespace, and single wide characters (closing
/// punctuation stays with the word before it).
fn atoms(text: &str) -> Vec<Atom<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    // Where the last word atom began, when it ends exactly here (nothing between).
    let mut glue: Option<usize> = None;
    for (i, g) in text.grapheme_indices(true) {
        if closes(g) {
            // Kept with what it closes: the word being read, or the one just pushed.
            if let Some(from) = start.take().or(glue) {
                if glue == Some(from) {
                    out.pop();
                }
                out.push(Atom::Word(&text[from..i + g.len()]));
                glue = Some(from);
                continue;
            }
        }
        let space = g.chars().all(char::is_whitespace);
        let boundary = space || g.width() > 1;
        if !boundary {
            glue = None;
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            out.push(Atom::Word(&text[s..i]));
        }
        glue = None;
        if g.contains('\n') {
            out.push(Atom::Break);
        } else if space {
            if !matches!(out.last(), Some(Atom::Space)) {
                out.push(Atom::Space);
            }
        } else {
            out.push(Atom::Word(g));
            glue = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Atom::Word(&text[s..]));
    }
    out
}

struct Lines {
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    used: usize,
    rest: Vec<Span<'static>>,
    width: usize,
    pending_space: Option<Style>,
    /// Whether the current line has text beyond its prefix.
    content: bool,
}

impl Lines {
    fn newline(&mut self) {
        let line = std::mem::replace(&mut self.current, self.rest.clone());
        self.lines.push(Line::from(line));
        self.used = spans_width(&self.rest);
        self.pending_space = None;
        self.content = false;
    }

    fn push(&mut self, atom: Atom<'_>, style: Style) {
        match atom {
            Atom::Break => self.newline(),
            Atom::Space if self.content => self.pending_space = Some(style),
            Atom::Space => {}
            Atom::Word(word) => self.word(word, style),
        }
    }

    fn word(&mut self, word: &str, style: Style) {
        let w = word.width();
        let space = usize::from(self.pending_space.is_some());
        if self.content && self.used + space + w > self.width {
            self.newline();
        }
        if let Some(space_style) = self.pending_space.take() {
            self.append(" ", space_style, 1);
        }
        if self.used + w <= self.width {
            self.append(word, style, w);
            return;
        }
        // Longer than a whole line: split between clusters (at least one per line).
        for (g, gw) in super::width::graphemes(word) {
            if self.content && self.used + gw > self.width {
                self.newline();
            }
            self.append(g, style, gw);
        }
    }

    fn append(&mut self, text: &str, style: Style, width: usize) {
        match self.current.last_mut() {
            Some(last) if self.content && last.style == style => {
                last.content.to_mut().push_str(text);
            }
            _ => self.current.push(Span::styled(text.to_string(), style)),
        }
        self.used += width;
        self.content = true;
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        if self.content || self.lines.is_empty() {
            let line = std::mem::take(&mut self.current);
            self.lines.push(Line::from(line));
        }
        self.lines
    }
}

#[cfg(test)]
mod tests {
    /// Kinsoku: a line never starts with closing punctuation; it goes with the character it
    /// closes, after a wide character or a narrow word alike.
    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let text = |lines: Vec<Line<'static>>| -> Vec<String> {
            lines.iter().map(|l| l.to_string()).collect()
        };
        let pieces = [(
            "主节点下线了。哨兵选出新的主节点。".to_string(),
            Style::new(),
        )];
        // From 4 columns: a character and its punctuation fit on a line.
        for width in 4..20 {
            for line in text(wrap(&pieces, width, &[], &[])) {
                let first = line.chars().next().unwrap_or(' ');
                assert!(!"。，、；：！？）」".contains(first), "{width}: {line:?}");
            }
        }
        // 6 columns: "主节点" fills a line, "下线了。" would leave "。" alone: it moves along.
        assert_eq!(
            text(wrap(&pieces, 6, &[], &[]))[..3],
            ["主节点", "下线", "了。哨"]
        );
        let mixed = [("run redis-cli。然后".to_string(), Style::new())];
        assert_eq!(
            text(wrap(&mixed, 11, &[], &[])),
            ["run", "redis-cli。", "然后"]
        );
    }

    #[test]
    fn fit_line_keeps_a_fitting_line_and_wraps_a_long_one_whole() {
        use super::fit_line;
        let fits = Line::from("  a  b");
        assert_eq!(fit_line(fits.clone(), 10), vec![fits]);
        let long = Line::styled(
            "  +switch-master 127.0.0.1:16379 → 127.0.0.1:16380",
            Style::new().bold(),
        );
        let lines = fit_line(long, 24);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(
            text,
            [
                "  +switch-master",
                "    127.0.0.1:16379 →",
                "    127.0.0.1:16380"
            ]
        );
        assert!(
            lines[1]
                .spans
                .iter()
                .any(|s| s.style == Style::new().bold())
        );
    }

    use super::*;

    fn plain(text: &str, width: usize) -> Vec<String> {
        wrap(&[(text.to_string(), Style::new())], width, &[], &[])
            .into_iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect()
    }

    #[test]
    fn words_wrap_at_spaces() {
        assert_eq!(
            plain("the quick brown fox jumps", 10),
            vec!["the quick", "brown fox", "jumps"]
        );
    }

    #[test]
    fn cjk_breaks_anywhere_and_counts_two_columns() {
        let lines = plain("中文字符测试文本", 6);
        assert_eq!(lines, vec!["中文字", "符测试", "文本"]);
        assert!(lines.iter().all(|l| l.width() <= 6));
    }

    #[test]
    fn long_word_is_split() {
        assert_eq!(plain("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn emoji_width_is_respected() {
        let lines = plain("ok 🚀🚀🚀 go", 5);
        assert!(lines.iter().all(|l| l.width() <= 5), "{lines:?}");
    }

    #[test]
    fn clusters_never_split_across_lines() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        let text = format!("{family}{family}{family} e\u{301}e\u{301}e\u{301}e\u{301}");
        for width in 1..8 {
            for line in plain(&text, width) {
                assert!(
                    !line.starts_with('\u{200d}') && !line.ends_with('\u{200d}'),
                    "{line:?}"
                );
                assert!(!line.starts_with('\u{301}'), "{line:?}");
            }
        }
    }

    #[test]
    fn prefixes_apply_to_first_and_rest() {
        let first = [Span::raw("• ")];
        let rest = [Span::raw("  ")];
        let lines: Vec<String> = wrap(&[("one two three".into(), Style::new())], 9, &first, &rest)
            .into_iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect();
        assert_eq!(lines, vec!["• one two", "  three"]);
    }
}
