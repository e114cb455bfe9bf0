//! The effects block under a cell's output: what the command did (issue 19). Folded it is one
//! grouped line; `o` (expand) lists every effect with its offset. Counted by `rows` for the
//! layout pass, built by `lines` for visible cells only; the two must agree.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{App, EXPANDED_LINES};
use crate::effects::{CellEffects, summary_span};
use crate::lesson::CellIndex;

use super::cell_frame;
use super::theme::Theme;
use super::width::truncate;

/// Groups shown folded before "… more".
const FOLDED_GROUPS: usize = 4;

fn effects(app: &App, cell: CellIndex) -> Option<&CellEffects> {
    app.effects.cell(cell).filter(|fx| !fx.is_empty())
}

/// Listed rows when expanded, and whether a "… more" row follows.
fn listed(fx: &CellEffects) -> (usize, bool) {
    let shown = fx.list.len().min(EXPANDED_LINES);
    (shown, fx.len() > shown)
}

pub fn rows(app: &App, cell: CellIndex) -> usize {
    let Some(fx) = effects(app, cell) else {
        return 0;
    };
    if !app.runs[cell].expanded {
        let groups = fx.groups.len();
        return 1 + groups.min(FOLDED_GROUPS) + usize::from(groups > FOLDED_GROUPS);
    }
    let (shown, more) = listed(fx);
    1 + shown + usize::from(more)
}

pub fn lines(
    app: &App,
    cell: CellIndex,
    inner: usize,
    frame: Style,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(fx) = effects(app, cell) else {
        return Vec::new();
    };
    let watching = fx.watching(app.wall);
    let state = if watching { "still watching" } else { "done" };
    let header = format!("├─ effects ({}) · {state} ", fx.len());
    let mut out = vec![cell_frame::rule(
        vec![Span::styled(header, frame)],
        inner,
        frame,
        "┤",
    )];
    // A block that is still growing stands out; a settled one recedes.
    let style = if watching { theme.busy() } else { theme.dim() };
    let row = |text: String, style: Style| {
        let text = truncate(&text, inner.saturating_sub(2));
        let line = Line::from(vec![Span::styled("│ ", frame), Span::styled(text, style)]);
        cell_frame::close(line, inner, frame)
    };
    if !app.runs[cell].expanded {
        // One group a row: its width never changes the cell's height.
        let groups = &fx.groups;
        for group in groups.iter().take(FOLDED_GROUPS) {
            out.push(row(group.label(), style));
        }
        if groups.len() > FOLDED_GROUPS {
            let text = format!("… {} more kinds (o expand)", groups.len() - FOLDED_GROUPS);
            out.push(row(text, theme.dim()));
        }
        return out;
    }
    let (shown, more) = listed(fx);
    for effect in fx.list.iter().take(shown) {
        let mark = if effect.continuing {
            " (continuing)"
        } else {
            ""
        };
        let when = summary_span(effect.offset, effect.offset);
        let text = format!("{when:>9}  {}{mark}", effect.observed.describe());
        out.push(row(text, style));
    }
    if more {
        let text = format!("… {} more (grouped above when folded)", fx.len() - shown);
        out.push(row(text, theme.dim()));
    }
    out
}
