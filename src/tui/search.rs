//! `/` search: where a query occurs in a line of text, and the same line with each
//! occurrence highlighted. Smart case, as in less and vim: a query with a capital letter is
//! matched exactly, an all-lowercase one ignores case.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Byte ranges of the non-overlapping occurrences of `query` in `text`, left to right.
pub fn find(text: &str, query: &str) -> Vec<Range<usize>> {
    if query.is_empty() {
        return Vec::new();
    }
    let exact = query.chars().any(char::is_uppercase);
    let same = |a: char, b: char| {
        if exact {
            a == b
        } else {
            a == b || a.to_lowercase().eq(b.to_lowercase())
        }
    };
    let mut out = Vec::new();
    let mut from = 0;
    while from < text.len() {
        let rest = &text[from..];
        let Some(start) = rest.char_indices().find_map(|(i, _)| {
            let mut hay = rest[i..].chars();
            query
                .chars()
                .all(|q| hay.next().is_some_and(|h| same(h, q)))
                .then_some(i)
        }) else {
            break;
        };
        let begin = from + start;
        let len: usize = text[begin..]
            .chars()
            .take(query.chars().count())
            .map(char::len_utf8)
            .sum();
        out.push(begin..begin + len);
        from = begin + len.max(1);
    }
    out
}

/// Whether `text` holds `query` (same rules as [`find`]).
pub fn contains(text: &str, query: &str) -> bool {
    !find(text, query).is_empty()
}

/// The line with every occurrence of `query` drawn in `style` (patched over its own style).
pub fn highlight(line: Line<'static>, query: &str, style: Style) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let found = find(&text, query);
    if found.is_empty() {
        return line;
    }
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * found.len());
    let mut offset = 0;
    for span in line.spans {
        let end = offset + span.content.len();
        let mut at = offset;
        for r in found.iter().filter(|r| r.start < end && r.end > offset) {
            let (a, b) = (r.start.max(offset), r.end.min(end));
            if a > at {
                spans.push(Span::styled(text[at..a].to_string(), span.style));
            }
            spans.push(Span::styled(
                text[a..b].to_string(),
                span.style.patch(style),
            ));
            at = b;
        }
        if at < end {
            spans.push(Span::styled(text[at..end].to_string(), span.style));
        }
        offset = end;
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Modifier, Stylize};

    #[test]
    fn smart_case_and_unicode() {
        assert_eq!(find("Redis redis REDIS", "redis"), [0..5, 6..11, 12..17]);
        assert_eq!(
            find("Redis redis REDIS", "Redis").as_slice(),
            &[0..5, 0..5][..1]
        );
        assert_eq!(find("主节点和主节点", "主节点"), [0..9, 12..21]);
        let overlapping = find("aaa", "aa");
        assert_eq!((overlapping.len(), overlapping[0].clone()), (1, 0..2));
        assert!(find("abc", "").is_empty());
        assert!(find("ab", "abc").is_empty());
        assert!(!contains("kubectl scale rc", "SCALE"));
        assert!(contains("kubectl scale rc", "scale"));
    }

    #[test]
    fn occurrences_across_spans_are_highlighted_and_the_text_kept() {
        let line = Line::from(vec![Span::raw("kubectl "), "scale rc".bold()]);
        let mark = Style::new().add_modifier(Modifier::REVERSED);
        let out = highlight(line, "l sc", mark);
        assert_eq!(out.to_string(), "kubectl scale rc");
        let marked: Vec<&str> = out
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(marked, ["l ", "sc"]);
        let sc = out.spans.iter().find(|s| s.content == "sc").unwrap();
        assert!(sc.style.add_modifier.contains(Modifier::BOLD));
    }
}
