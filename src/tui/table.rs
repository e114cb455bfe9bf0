//! GFM tables: columns sized to their content, shrunk fairly when the table is wider than the
//! screen, cells wrapped inside their column (never past the edge).

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::lesson::Align;

use super::theme::Theme;
use super::wrap::{Piece, spans_width, wrap};

const SEP: &str = " │ ";

pub fn render(
    aligns: &[Align],
    header: &[Vec<Piece>],
    rows: &[Vec<Vec<Piece>>],
    width: usize,
    first: &[Span<'static>],
    rest: &[Span<'static>],
    theme: &Theme,
) -> Vec<Line<'static>> {
    let ncols = rows
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    if ncols == 0 {
        return Vec::new();
    }
    let natural: Vec<usize> = (0..ncols)
        .map(|c| {
            let cells = std::iter::once(header.get(c)).chain(rows.iter().map(|r| r.get(c)));
            cells
                .flatten()
                .map(|p| plain_width(p))
                .max()
                .unwrap_or(1)
                .max(1)
        })
        .collect();
    let prefix = spans_width(first).max(spans_width(rest));
    let available = width.saturating_sub(prefix + (ncols - 1) * SEP.len());
    let widths = fit(&natural, available.max(ncols));
    let mut out = Vec::new();
    let mut push = |line: Vec<Span<'static>>| {
        let lead = if out.is_empty() { first } else { rest };
        let mut spans = lead.to_vec();
        spans.extend(line);
        out.push(Line::from(spans));
    };
    for line in row_lines(header, &widths, aligns, theme) {
        push(line);
    }
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    push(vec![Span::styled(rule.join("─┼─"), theme.dim())]);
    for row in rows {
        for line in row_lines(row, &widths, aligns, theme) {
            push(line);
        }
    }
    out
}

fn plain_width(pieces: &[Piece]) -> usize {
    pieces.iter().map(|(t, _)| t.width()).sum()
}

/// Column widths that sum to at most `available`: narrow columns keep their natural width,
/// wide ones share what is left equally.
fn fit(natural: &[usize], available: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= available {
        return natural.to_vec();
    }
    let mut widths = vec![0; natural.len()];
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&c| natural[c]);
    let mut left = available;
    for (n, &c) in order.iter().enumerate() {
        let share = left / (natural.len() - n);
        widths[c] = natural[c].min(share).max(1);
        left = left.saturating_sub(widths[c]);
    }
    widths
}

fn row_lines(
    row: &[Vec<Piece>],
    widths: &[usize],
    aligns: &[Align],
    theme: &Theme,
) -> Vec<Vec<Span<'static>>> {
    let empty = Vec::new();
    let cells: Vec<Vec<Line<'static>>> = widths
        .iter()
        .enumerate()
        .map(|(c, &w)| wrap(row.get(c).unwrap_or(&empty), w, &[], &[]))
        .collect();
    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
    (0..height)
        .map(|i| {
            let mut spans = Vec::new();
            for (c, &w) in widths.iter().enumerate() {
                if c > 0 {
                    spans.push(Span::styled(SEP, theme.dim()));
                }
                let line = cells[c].get(i).cloned().unwrap_or_default();
                let used = spans_width(&line.spans);
                let pad = w.saturating_sub(used);
                let (left, right) = match aligns.get(c) {
                    Some(Align::Right) => (pad, 0),
                    Some(Align::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                spans.push(Span::raw(" ".repeat(left)));
                spans.extend(line.spans);
                if c + 1 < widths.len() {
                    spans.push(Span::raw(" ".repeat(right)));
                }
            }
            spans
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn p(text: &str) -> Vec<Piece> {
        vec![(text.to_string(), Style::new())]
    }

    #[test]
    fn wide_table_never_exceeds_width() {
        let header = vec![p("name"), p("description")];
        let rows = vec![vec![p("redis"), p(&"a very long description ".repeat(10))]];
        let lines = render(&[], &header, &rows, 40, &[], &[], &Theme::plain());
        assert!(lines.len() > 3, "long cell wraps onto several lines");
        for line in &lines {
            assert!(line.width() <= 40, "{line:?}");
        }
    }

    #[test]
    fn fit_keeps_narrow_columns() {
        assert_eq!(fit(&[3, 50, 4], 30), vec![3, 23, 4]);
        assert_eq!(fit(&[3, 4], 30), vec![3, 4]);
    }
}
