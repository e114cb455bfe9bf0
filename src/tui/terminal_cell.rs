//! An interactive cell's screen as lines of the lesson: every emulator cell with its colours
//! and attributes, the cursor shown while the cell has the keyboard. Only what the emulator
//! holds is drawn, so nothing the program wrote reaches the real terminal as an escape.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::exec::term_emulator::Emulator;

use super::theme::Theme;

/// The screen's rows, each exactly as wide as the terminal.
pub fn rows(term: &Emulator, show_cursor: bool, theme: &Theme) -> Vec<Line<'static>> {
    let screen = term.screen();
    let size = term.size();
    let cursor = (show_cursor && !screen.hide_cursor()).then(|| screen.cursor_position());
    (0..size.rows)
        .map(|row| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut text = String::new();
            let mut style = Style::default();
            for col in 0..size.cols {
                let Some(cell) = screen.cell(row, col) else {
                    break;
                };
                if cell.is_wide_continuation() {
                    continue;
                }
                let mut s = cell_style(cell, theme);
                if cursor == Some((row, col)) {
                    s = s.add_modifier(Modifier::REVERSED);
                }
                if s != style && !text.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut text), style));
                }
                style = s;
                match cell.contents() {
                    "" => text.push(' '),
                    c => text.push_str(c),
                }
            }
            if !text.is_empty() {
                spans.push(Span::styled(text, style));
            }
            Line::from(spans)
        })
        .collect()
}

fn cell_style(cell: &vt100::Cell, theme: &Theme) -> Style {
    let mut style = Style::default();
    if theme.color {
        if let Some(fg) = color(cell.fgcolor()) {
            style = style.fg(fg);
        }
        if let Some(bg) = color(cell.bgcolor()) {
            style = style.bg(bg);
        }
    }
    let flags = [
        (cell.bold(), Modifier::BOLD),
        (cell.dim(), Modifier::DIM),
        (cell.italic(), Modifier::ITALIC),
        (cell.underline(), Modifier::UNDERLINED),
        (cell.inverse(), Modifier::REVERSED),
    ];
    for (on, modifier) in flags {
        if on {
            style = style.add_modifier(modifier);
        }
    }
    style
}

fn color(c: vt100::Color) -> Option<Color> {
    match c {
        vt100::Color::Default => None,
        vt100::Color::Idx(i) => Some(Color::Indexed(i)),
        vt100::Color::Rgb(r, g, b) => Some(Color::Rgb(r, g, b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::term_emulator::TermSize;

    #[test]
    fn rows_are_as_wide_as_the_terminal_with_styles_and_cursor() {
        let mut e = Emulator::new(TermSize { rows: 3, cols: 8 });
        e.process("\x1b[31mred\x1b[0m 界x\r\nab".as_bytes());
        let lines = rows(&e, true, &Theme::dark());
        assert_eq!(lines.len(), 3);
        let text: Vec<String> = lines.iter().map(Line::to_string).collect();
        assert_eq!(text, ["red 界x ", "ab      ", "        "]);
        assert_eq!(lines[0].spans[0].style.fg, Some(Color::Indexed(1)));
        // The cursor (after "ab") is drawn reversed.
        let cursor = lines[1]
            .spans
            .iter()
            .find(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .expect("cursor span");
        assert_eq!(cursor.content, " ");
        let unfocused = rows(&e, false, &Theme::dark());
        assert!(
            unfocused[1]
                .spans
                .iter()
                .all(|s| !s.style.add_modifier.contains(Modifier::REVERSED))
        );
    }
}
