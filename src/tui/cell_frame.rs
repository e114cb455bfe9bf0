//! Closing a cell's frame on the right. Every line is cut or padded to the same width so the
//! right border lines up; the lesson scrollbar lives in the margin column beyond it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::wrap::spans_width;

/// A body line (`│ …`) cut or padded to `inner` columns, then the right border.
pub fn close(line: Line<'static>, inner: usize, frame: Style) -> Line<'static> {
    let style = line.style;
    let mut spans = fit(line.spans, inner);
    let pad = inner.saturating_sub(spans_width(&spans));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled("│", frame));
    Line::from(spans).style(style)
}

/// A rule (`╰─ …`, `├─ output`) filled with `─` to `inner` columns, then `corner`.
pub fn rule(
    spans: Vec<Span<'static>>,
    inner: usize,
    frame: Style,
    corner: &'static str,
) -> Line<'static> {
    let mut spans = fit(spans, inner);
    let fill = inner.saturating_sub(spans_width(&spans));
    spans.push(Span::styled("─".repeat(fill), frame));
    spans.push(Span::styled(corner, frame));
    Line::from(spans)
}

/// The spans cut to at most `width` display columns (a wide cluster that would straddle
/// the edge is dropped whole).
fn fit(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for span in spans {
        let w = span.content.width();
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        // Whole grapheme clusters only: half an emoji ZWJ sequence is wider on the terminal
        // than here and would push the border out.
        let (text, _) = super::width::fit(&span.content, width - used);
        out.push(Span::styled(text.to_string(), span.style));
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_or_padded_to_the_border() {
        let frame = Style::default();
        let long = Line::from(vec![Span::raw("│ "), Span::raw("界界界界")]);
        assert_eq!(close(long, 7, frame).to_string(), "│ 界界 │");
        let short = Line::from("│ ab");
        assert_eq!(close(short, 6, frame).to_string(), "│ ab  │");
        let r = rule(vec![Span::raw("├─ output")], 12, frame, "┤");
        assert_eq!(r.to_string(), "├─ output───┤");
    }

    /// What the terminal got before: "yyy👨\u{200d}" then the border, which it glued into
    /// the emoji. At every offset, no cut ends inside a cluster and the border stays put.
    #[test]
    fn clusters_at_the_edge_are_kept_or_dropped_whole() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        for cluster in [family, "e\u{301}\u{302}", "🇩🇪", "界", "👍🏽"] {
            for n in 0..12 {
                let text = format!("{}{cluster}|", "y".repeat(n));
                let line = close(
                    Line::from(vec![Span::raw("│ "), Span::raw(text)]),
                    12,
                    Style::default(),
                );
                let shown = line.to_string();
                assert_eq!(shown.width(), 13, "{shown:?}");
                assert!(shown.ends_with('│'), "{shown:?}");
                assert!(
                    !shown.contains("\u{200d}│") && !shown.contains("\u{200d} "),
                    "{shown:?}"
                );
                let kept = shown.contains(cluster);
                let first = cluster.chars().next().unwrap_or('?');
                let cut = !shown.contains(first);
                assert!(kept || cut, "half a cluster left: {shown:?}");
            }
        }
    }
}
