//! Keys and mouse to actions, and the help text: one table, so help never drifts from behaviour.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::app::action::Action;
use crate::app::state::{Overlay, Pane};

/// Lines scrolled by one mouse wheel notch.
const WHEEL_LINES: usize = 3;

/// Every key, as shown by `?` (key, what it does).
pub const HELP: &[(&str, &str)] = &[
    ("j / k, ↓ / ↑", "scroll the lesson"),
    ("PgDn / PgUp, space", "scroll a page"),
    ("g / G, Home / End", "top / bottom"),
    ("n / p, Tab / S-Tab", "next / previous step"),
    ("] / [", "focus next / previous command"),
    (
        "Enter",
        "run the focused command (or type into its terminal)",
    ),
    ("Ctrl-]", "leave a terminal (the program keeps running)"),
    ("a", "run every command of the step"),
    ("R", "replay the earlier steps (after a restart)"),
    ("Ctrl-C", "cancel what is running (never quits)"),
    ("c", "copy the command (OSC 52)"),
    ("e", "edit the command in $EDITOR, then run it"),
    ("E", "drop the edit: run the lesson's command"),
    ("J / K", "scroll the command's output"),
    ("o", "expand / fold the command's output"),
    ("1 / 2 / 3", "toggle pods / sentinel / jobs pane"),
    ("< / >", "narrow / widen the lesson column"),
    ("mouse", "wheel scrolls, click focuses a command"),
    ("?", "this help"),
    ("q", "quit (asks while commands run)"),
];

/// The short hints in the status bar.
pub const HINTS: &str = "⏎ run  a step  n/p step  ]/[ cmd  ^C cancel  ? help  q quit";
/// The status bar while an interactive cell has the keyboard.
pub const TERM_HINTS: &str = "keys go to the program  ^] back to the lesson";

/// Map a key press, given the overlay on screen (confirmations take y/n).
pub fn map_key(key: KeyEvent, overlay: Option<&Overlay>) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Cancel);
    }
    if matches!(
        overlay,
        Some(Overlay::ConfirmQuit | Overlay::ConfirmCluster { .. })
    ) {
        return match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Char('q') => Some(Action::Quit),
            _ => Some(Action::Dismiss),
        };
    }
    if ctrl {
        return match key.code {
            KeyCode::Char('d') | KeyCode::Char('f') => Some(Action::PageDown),
            KeyCode::Char('u') | KeyCode::Char('b') => Some(Action::PageUp),
            _ => None,
        };
    }
    let action = match key.code {
        KeyCode::Char('j') | KeyCode::Down => Action::ScrollDown(1),
        KeyCode::Char('k') | KeyCode::Up => Action::ScrollUp(1),
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char('n') | KeyCode::Tab => Action::NextStep,
        KeyCode::Char('p') | KeyCode::BackTab => Action::PrevStep,
        KeyCode::Char(']') => Action::NextCell,
        KeyCode::Char('[') => Action::PrevCell,
        KeyCode::Enter => Action::RunFocused,
        KeyCode::Char('a') => Action::RunStep,
        KeyCode::Char('R') => Action::ReplayEarlier,
        KeyCode::Char('c') => Action::Copy,
        KeyCode::Char('e') => Action::Edit,
        KeyCode::Char('E') => Action::RevertEdit,
        KeyCode::Char('J') => Action::OutputScroll(-1),
        KeyCode::Char('K') => Action::OutputScroll(1),
        KeyCode::Char('o') => Action::ToggleExpand,
        KeyCode::Char('1') => Action::TogglePane(Pane::Pods),
        KeyCode::Char('2') => Action::TogglePane(Pane::Sentinel),
        KeyCode::Char('3') => Action::TogglePane(Pane::Jobs),
        KeyCode::Char('<') => Action::ResizeSplit(-5),
        KeyCode::Char('>') => Action::ResizeSplit(5),
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Dismiss,
        _ => return None,
    };
    Some(action)
}

pub fn map_mouse(mouse: MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::ScrollDown => Some(Action::ScrollDown(WHEEL_LINES)),
        MouseEventKind::ScrollUp => Some(Action::ScrollUp(WHEEL_LINES)),
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
            column: mouse.column,
            row: mouse.row,
        }),
        _ => None,
    }
}
