//! Rendering of the lesson picker.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, List, ListItem, ListState, Paragraph, Wrap};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::picker::{Picker, PickerInput};

use super::cell::truncate;
use super::screen::{MIN_HEIGHT, MIN_WIDTH, too_small};
use super::theme::Theme;

/// The picker's keys: j/k or arrows (Tab, Shift-Tab) move, Enter opens, q, Esc or Ctrl-C quit.
pub fn map_key(key: KeyEvent) -> Option<PickerInput> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
    match key.code {
        _ if ctrl_c => Some(PickerInput::Quit),
        KeyCode::Char('q') | KeyCode::Esc => Some(PickerInput::Quit),
        KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => Some(PickerInput::Next),
        KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => Some(PickerInput::Previous),
        KeyCode::Enter => Some(PickerInput::Open),
        _ => None,
    }
}

pub fn draw(frame: &mut Frame<'_>, picker: &Picker, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(area, frame.buffer_mut());
        return;
    }
    let [head, list, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = vec![
        Line::styled("kubetutor", theme.title()),
        Line::styled(
            "Pick a lesson (or pass one: kubetutor PATH | SLUG)",
            theme.summary(),
        ),
    ];
    frame.render_widget(Paragraph::new(title), head);
    if picker.lessons.is_empty() {
        let text = "No bundled lessons found (looked in ./lessons and $KUBETUTOR_LESSONS).";
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), list);
    } else {
        let summary_width = usize::from(list.width).saturating_sub(6);
        let items: Vec<ListItem<'_>> = picker
            .lessons
            .iter()
            .map(|l| {
                let langs = if l.translations.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", l.translations.join(", "))
                };
                ListItem::new(vec![
                    Line::from(vec![
                        Span::styled(l.title.clone(), theme.title()),
                        Span::styled(
                            format!("  {} · {} steps{langs}", l.slug, l.steps),
                            theme.dim(),
                        ),
                    ]),
                    Line::styled(
                        format!("  {}", truncate(&l.summary, summary_width)),
                        theme.summary(),
                    ),
                    Line::from(""),
                ])
            })
            .collect();
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.dim());
        let widget = List::new(items)
            .block(block)
            .highlight_symbol("▶ ")
            .highlight_style(theme.selected());
        let mut state = ListState::default().with_selected(Some(picker.selected));
        frame.render_stateful_widget(widget, list, &mut state);
    }
    let hints = "j/k move · Enter open · q quit";
    frame.render_widget(
        Paragraph::new(Span::styled(hints, theme.status_bar())),
        foot,
    );
}
