//! Keys and mouse to actions, and the help text, from one table ([`HELP`]): a key without a
//! help line cannot be bound (tests/tui/keys.rs checks the shown key names too).

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::app::action::Action;
use crate::app::state::{Overlay, Pane};

/// Columns one ←/→ scrolls a no-wrap output sideways.
const PAN_COLUMNS: i32 = 8;

/// Lines scrolled by one mouse wheel notch.
const WHEEL_LINES: usize = 3;

/// A key as bound: its code, and whether Ctrl is held (other modifiers are ignored: Shift is
/// already in the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One line of the help (`?`): the keys as shown, what they do, and the action of each key.
/// `map_key` reads the same table, so a key cannot be bound without a help line.
pub struct Binding {
    pub keys: &'static str,
    pub what: &'static str,
    pub map: &'static [(Key, Action)],
}

const fn bind(keys: &'static str, what: &'static str, map: &'static [(Key, Action)]) -> Binding {
    Binding { keys, what, map }
}

/// Every binding outside confirmations, in help order.
pub const HELP: &[Binding] = &[
    bind(
        "j / k, ↓ / ↑",
        "scroll the lesson",
        &[
            (ch('j'), Action::ScrollDown(1)),
            (ch('k'), Action::ScrollUp(1)),
            (key(KeyCode::Down), Action::ScrollDown(1)),
            (key(KeyCode::Up), Action::ScrollUp(1)),
        ],
    ),
    bind(
        "PgDn / PgUp, space",
        "scroll a page",
        &[
            (key(KeyCode::PageDown), Action::PageDown),
            (key(KeyCode::PageUp), Action::PageUp),
            (ch(' '), Action::PageDown),
        ],
    ),
    bind(
        "^D / ^U, ^F / ^B",
        "scroll a page (as in less)",
        &[
            (ctrl('d'), Action::PageDown),
            (ctrl('u'), Action::PageUp),
            (ctrl('f'), Action::PageDown),
            (ctrl('b'), Action::PageUp),
        ],
    ),
    bind(
        "g / G, Home / End",
        "top / bottom",
        &[
            (ch('g'), Action::Top),
            (ch('G'), Action::Bottom),
            (key(KeyCode::Home), Action::Top),
            (key(KeyCode::End), Action::Bottom),
        ],
    ),
    bind(
        "n / p, Tab / S-Tab",
        "next / previous step (n: the next match while searching)",
        &[
            (ch('n'), Action::NextStep),
            (ch('p'), Action::PrevStep),
            (key(KeyCode::Tab), Action::NextStep),
            (key(KeyCode::BackTab), Action::PrevStep),
        ],
    ),
    bind(
        "/, N",
        "search the lesson (Enter keeps it, Esc clears); N the previous match",
        &[
            (ch('/'), Action::SearchStart),
            (ch('N'), Action::SearchNext(-1)),
        ],
    ),
    bind(
        "t",
        "the steps and their progress (Enter or a number jumps)",
        &[(ch('t'), Action::ShowSteps)],
    ),
    bind(
        "] / [",
        "focus next / previous command",
        &[(ch(']'), Action::NextCell), (ch('['), Action::PrevCell)],
    ),
    bind(
        "Enter",
        "run the focused command (or type into its terminal)",
        &[(key(KeyCode::Enter), Action::RunFocused)],
    ),
    // Read by `term_keys` while a terminal has the keyboard; it means nothing otherwise.
    bind(
        "Ctrl-]",
        "leave a terminal (the program keeps running)",
        &[],
    ),
    // Read by `typing_key` while present mode types a command out.
    bind(
        "any key",
        "present mode: finish typing the command at once",
        &[],
    ),
    bind(
        "a",
        "run every command of the step",
        &[(ch('a'), Action::RunStep)],
    ),
    bind(
        "R",
        "replay up to the last completed step (after a restart)",
        &[(ch('R'), Action::ReplayEarlier)],
    ),
    bind(
        "^C",
        "cancel what is running (never quits)",
        &[(ctrl('c'), Action::Cancel)],
    ),
    bind("c", "copy the command (OSC 52)", &[(ch('c'), Action::Copy)]),
    bind(
        "x",
        "export the session: the lesson with every output, as Markdown",
        &[(ch('x'), Action::Export)],
    ),
    bind(
        "e",
        "edit the command in $EDITOR, then run it",
        &[(ch('e'), Action::Edit)],
    ),
    bind(
        "E",
        "drop the edit: run the lesson's command",
        &[(ch('E'), Action::RevertEdit)],
    ),
    bind(
        "J / K",
        "scroll the command's output",
        &[
            (ch('J'), Action::OutputScroll(-1)),
            (ch('K'), Action::OutputScroll(1)),
        ],
    ),
    bind(
        "w, ← / →",
        "wrap the command's output or not; scroll it sideways",
        &[
            (ch('w'), Action::ToggleWrap),
            (key(KeyCode::Left), Action::OutputPan(-PAN_COLUMNS)),
            (key(KeyCode::Right), Action::OutputPan(PAN_COLUMNS)),
        ],
    ),
    bind(
        "o",
        "expand / fold the command's output",
        &[(ch('o'), Action::ToggleExpand)],
    ),
    bind(
        "s",
        "stop the command's background job",
        &[(ch('s'), Action::StopJob)],
    ),
    bind(
        "1 / 2 / 3",
        "toggle pods / sentinel / jobs pane",
        &[
            (ch('1'), Action::TogglePane(Pane::Pods)),
            (ch('2'), Action::TogglePane(Pane::Sentinel)),
            (ch('3'), Action::TogglePane(Pane::Jobs)),
        ],
    ),
    bind(
        "< / >",
        "narrow / widen the lesson column",
        &[
            (ch('<'), Action::ResizeSplit(-5)),
            (ch('>'), Action::ResizeSplit(5)),
        ],
    ),
    // The mouse is mapped by `map_mouse`.
    bind("mouse", "wheel scrolls, click focuses a command", &[]),
    bind("?", "this help", &[(ch('?'), Action::ToggleHelp)]),
    bind(
        "!",
        "the last notices in full",
        &[(ch('!'), Action::ShowNotices)],
    ),
    bind(
        "Esc",
        "close this help or a message",
        &[(key(KeyCode::Esc), Action::Dismiss)],
    ),
    bind(
        "q",
        "quit (asks while commands run)",
        &[(ch('q'), Action::Quit)],
    ),
];

// The status bar's key hints live with the interface's English words.
pub use crate::text::en::{ALWAYS_HINTS, HINTS, MORE_HINT, PRESENT_HINTS, TERM_HINTS};

/// A key while present mode types a command out: Ctrl-C still cancels, any other key
/// finishes the typing (the help's "any key" line).
pub fn typing_key(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Cancel);
    }
    Some(Action::SkipTyping)
}

/// Map a key press, given the overlay on screen (confirmations take y/n).
pub fn map_key(key: KeyEvent, overlay: Option<&Overlay>) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Cancel);
    }
    if matches!(overlay, Some(Overlay::ConfirmCleanup { .. })) {
        // Three answers: clean up and quit, quit as is, or stay.
        return match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::Confirm),
            KeyCode::Char('n' | 'N' | 'q') => Some(Action::Quit),
            _ => Some(Action::Dismiss),
        };
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
    if matches!(overlay, Some(Overlay::Search | Overlay::AskEnv { .. })) {
        return search_key(key.code, ctrl);
    }
    if matches!(overlay, Some(Overlay::Help { .. })) {
        let rows = HELP.len();
        let delta = match key.code {
            KeyCode::Char('j') | KeyCode::Down => Some(1),
            KeyCode::Char('k') | KeyCode::Up => Some(-1),
            KeyCode::Char(' ') | KeyCode::PageDown => Some(10),
            KeyCode::PageUp => Some(-10),
            _ => None,
        };
        if let Some(delta) = delta {
            return Some(Action::HelpScroll { delta, rows });
        }
    }
    if matches!(overlay, Some(Overlay::Steps { .. })) {
        return Some(step_list_key(key.code));
    }
    let pressed = Key {
        code: key.code,
        ctrl,
    };
    HELP.iter()
        .flat_map(|b| b.map)
        .find(|(k, _)| *k == pressed)
        .map(|(_, action)| action.clone())
}

/// A key while the search is typed: characters edit the query, ↑/↓ move between matches.
fn search_key(code: KeyCode, ctrl: bool) -> Option<Action> {
    match code {
        KeyCode::Char(c) if !ctrl => Some(Action::TypeChar(c)),
        KeyCode::Backspace => Some(Action::EraseChar),
        KeyCode::Enter => Some(Action::Confirm),
        KeyCode::Esc => Some(Action::Dismiss),
        KeyCode::Down => Some(Action::SearchNext(1)),
        KeyCode::Up => Some(Action::SearchNext(-1)),
        _ => None,
    }
}

/// A key in the step list (`t`): it takes the keys a list takes, anything else closes it.
fn step_list_key(code: KeyCode) -> Action {
    match code {
        KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => Action::ListMove(1),
        KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => Action::ListMove(-1),
        KeyCode::PageDown | KeyCode::Char(' ') => Action::ListMove(10),
        KeyCode::PageUp => Action::ListMove(-10),
        KeyCode::Char('g') | KeyCode::Home => Action::ListMove(i32::MIN),
        KeyCode::Char('G') | KeyCode::End => Action::ListMove(i32::MAX),
        KeyCode::Char(c @ '0'..='9') => Action::ListDigit(c as u8 - b'0'),
        KeyCode::Backspace => Action::ListErase,
        KeyCode::Enter => Action::Confirm,
        _ => Action::Dismiss,
    }
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
