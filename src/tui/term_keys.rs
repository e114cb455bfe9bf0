//! Keys for a focused interactive cell: crossterm key events to the bytes an xterm sends, so
//! the program inside reads what it would read on a real terminal (arrows in application
//! cursor mode, Ctrl and Alt combinations, function keys). One key is ours:
//! [`crate::app::LEAVE`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::Action;
use crate::exec::term_emulator::InputModes;

/// The action for a key while a terminal has the focus: [`Action::TermLeave`] for Ctrl-],
/// else its bytes for the program.
pub fn term_key(key: KeyEvent, modes: InputModes) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if is_leave(key) {
        return Some(Action::TermLeave);
    }
    key_bytes(key, modes).map(Action::TermInput)
}

fn is_leave(key: KeyEvent) -> bool {
    // A legacy terminal sends 0x1d for Ctrl-]; crossterm reports that byte as Ctrl-5.
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char(']' | '5'))
}

/// The bytes an xterm sends for `key`; None for keys it sends nothing for.
pub fn key_bytes(key: KeyEvent, modes: InputModes) -> Option<Vec<u8>> {
    let mods = key.modifiers;
    let alt = mods.contains(KeyModifiers::ALT);
    let ctrl = mods.contains(KeyModifiers::CONTROL);
    let mut out = Vec::new();
    let plain = match key.code {
        KeyCode::Char(c) if ctrl => vec![control_byte(c)?],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => b"\r".to_vec(),
        KeyCode::Tab => b"\t".to_vec(),
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Backspace if ctrl => vec![0x08],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Esc => vec![0x1b],
        KeyCode::Null => vec![0],
        KeyCode::Up => return Some(cursor_key(b'A', mods, modes)),
        KeyCode::Down => return Some(cursor_key(b'B', mods, modes)),
        KeyCode::Right => return Some(cursor_key(b'C', mods, modes)),
        KeyCode::Left => return Some(cursor_key(b'D', mods, modes)),
        KeyCode::Home => return Some(cursor_key(b'H', mods, modes)),
        KeyCode::End => return Some(cursor_key(b'F', mods, modes)),
        KeyCode::Insert => return Some(tilde_key(2, mods)),
        KeyCode::Delete => return Some(tilde_key(3, mods)),
        KeyCode::PageUp => return Some(tilde_key(5, mods)),
        KeyCode::PageDown => return Some(tilde_key(6, mods)),
        KeyCode::F(n) => return function_key(n, mods),
        _ => return None,
    };
    if alt {
        out.push(0x1b);
    }
    out.extend(plain);
    Some(out)
}

/// Ctrl with a character: the C0 control an xterm sends (Ctrl-A is 1, Ctrl-[ is ESC...).
/// crossterm reports 0x1c-0x1f as Ctrl-4..Ctrl-7 and NUL as Ctrl-Space; both spellings map.
fn control_byte(c: char) -> Option<u8> {
    let b = match c.to_ascii_lowercase() {
        c @ 'a'..='z' => c as u8 - b'a' + 1,
        '@' | ' ' | '2' => 0,
        '[' | '3' => 0x1b,
        '\\' | '4' => 0x1c,
        ']' | '5' => 0x1d,
        '^' | '6' | '~' => 0x1e,
        '_' | '7' | '/' | '-' => 0x1f,
        '?' | '8' => 0x7f,
        _ => return None,
    };
    Some(b)
}

/// xterm's modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4); None without modifiers.
fn modifier_param(mods: KeyModifiers) -> Option<u8> {
    let mut m = 0;
    if mods.contains(KeyModifiers::SHIFT) {
        m += 1;
    }
    if mods.contains(KeyModifiers::ALT) {
        m += 2;
    }
    if mods.contains(KeyModifiers::CONTROL) {
        m += 4;
    }
    (m > 0).then_some(m + 1)
}

/// Arrows, Home and End: `ESC [ A`, or `ESC O A` in application cursor mode, or
/// `ESC [ 1 ; m A` with modifiers.
fn cursor_key(letter: u8, mods: KeyModifiers, modes: InputModes) -> Vec<u8> {
    match modifier_param(mods) {
        Some(m) => format!("\x1b[1;{m}{}", letter as char).into_bytes(),
        None if modes.application_cursor => vec![0x1b, b'O', letter],
        None => vec![0x1b, b'[', letter],
    }
}

/// Insert, Delete, PageUp, PageDown and F5 up: `ESC [ n ~`, `ESC [ n ; m ~` with modifiers.
fn tilde_key(n: u8, mods: KeyModifiers) -> Vec<u8> {
    match modifier_param(mods) {
        Some(m) => format!("\x1b[{n};{m}~").into_bytes(),
        None => format!("\x1b[{n}~").into_bytes(),
    }
}

fn function_key(n: u8, mods: KeyModifiers) -> Option<Vec<u8>> {
    if (1..=4).contains(&n) {
        let letter = (b'P' + n - 1) as char;
        return Some(match modifier_param(mods) {
            Some(m) => format!("\x1b[1;{m}{letter}").into_bytes(),
            None => format!("\x1bO{letter}").into_bytes(),
        });
    }
    let code = match n {
        5 => 15,
        6 => 17,
        7 => 18,
        8 => 19,
        9 => 20,
        10 => 21,
        11 => 23,
        12 => 24,
        _ => return None,
    };
    Some(tilde_key(code, mods))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    fn bytes(code: KeyCode, mods: KeyModifiers) -> Vec<u8> {
        key_bytes(key(code, mods), InputModes::default()).expect("bytes")
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

    #[test]
    fn text_and_editing_keys() {
        assert_eq!(bytes(KeyCode::Char('q'), NONE), b"q");
        assert_eq!(bytes(KeyCode::Char('Q'), SHIFT), b"Q");
        assert_eq!(bytes(KeyCode::Char('é'), NONE), "é".as_bytes());
        assert_eq!(bytes(KeyCode::Enter, NONE), b"\r");
        assert_eq!(bytes(KeyCode::Tab, NONE), b"\t");
        assert_eq!(bytes(KeyCode::BackTab, SHIFT), b"\x1b[Z");
        assert_eq!(bytes(KeyCode::Backspace, NONE), b"\x7f");
        assert_eq!(bytes(KeyCode::Esc, NONE), b"\x1b");
    }

    #[test]
    fn control_and_alt() {
        assert_eq!(bytes(KeyCode::Char('c'), CTRL), [3]);
        assert_eq!(bytes(KeyCode::Char('a'), CTRL), [1]);
        assert_eq!(bytes(KeyCode::Char('D'), CTRL | SHIFT), [4]);
        assert_eq!(bytes(KeyCode::Char(' '), CTRL), [0]);
        assert_eq!(bytes(KeyCode::Char('4'), CTRL), [0x1c]);
        assert_eq!(bytes(KeyCode::Char('\\'), CTRL), [0x1c]);
        assert_eq!(bytes(KeyCode::Char('_'), CTRL), [0x1f]);
        assert_eq!(bytes(KeyCode::Char('b'), ALT), b"\x1bb");
        assert_eq!(bytes(KeyCode::Char('x'), CTRL | ALT), [0x1b, 0x18]);
        assert_eq!(bytes(KeyCode::Backspace, ALT), b"\x1b\x7f");
        assert_eq!(
            key_bytes(key(KeyCode::Char('é'), CTRL), InputModes::default()),
            None
        );
    }

    #[test]
    fn arrows_follow_application_cursor_mode() {
        assert_eq!(bytes(KeyCode::Up, NONE), b"\x1b[A");
        assert_eq!(bytes(KeyCode::Left, NONE), b"\x1b[D");
        let app = InputModes {
            application_cursor: true,
            ..Default::default()
        };
        assert_eq!(key_bytes(key(KeyCode::Up, NONE), app).unwrap(), b"\x1bOA");
        assert_eq!(key_bytes(key(KeyCode::Home, NONE), app).unwrap(), b"\x1bOH");
        // Modified arrows are the same in both modes.
        assert_eq!(
            key_bytes(key(KeyCode::Right, CTRL), app).unwrap(),
            b"\x1b[1;5C"
        );
        assert_eq!(bytes(KeyCode::Down, SHIFT | ALT), b"\x1b[1;4B");
    }

    #[test]
    fn function_and_tilde_keys() {
        assert_eq!(bytes(KeyCode::F(1), NONE), b"\x1bOP");
        assert_eq!(bytes(KeyCode::F(4), NONE), b"\x1bOS");
        assert_eq!(bytes(KeyCode::F(2), SHIFT), b"\x1b[1;2Q");
        assert_eq!(bytes(KeyCode::F(5), NONE), b"\x1b[15~");
        assert_eq!(bytes(KeyCode::F(12), NONE), b"\x1b[24~");
        assert_eq!(bytes(KeyCode::F(10), CTRL), b"\x1b[21;5~");
        assert_eq!(bytes(KeyCode::Delete, NONE), b"\x1b[3~");
        assert_eq!(bytes(KeyCode::PageUp, NONE), b"\x1b[5~");
        assert_eq!(bytes(KeyCode::PageDown, SHIFT), b"\x1b[6;2~");
        assert_eq!(
            key_bytes(key(KeyCode::F(13), NONE), InputModes::default()),
            None
        );
    }

    #[test]
    fn the_leave_key_is_ours_in_both_spellings() {
        let m = InputModes::default();
        assert_eq!(
            term_key(key(KeyCode::Char(']'), CTRL), m),
            Some(Action::TermLeave)
        );
        assert_eq!(
            term_key(key(KeyCode::Char('5'), CTRL), m),
            Some(Action::TermLeave)
        );
        // Everything else goes to the program, the lesson's own keys included.
        for (code, want) in [
            (KeyCode::Char('q'), b"q".to_vec()),
            (KeyCode::Char('1'), b"1".to_vec()),
            (KeyCode::Char('a'), b"a".to_vec()),
            (KeyCode::Char('?'), b"?".to_vec()),
        ] {
            assert_eq!(term_key(key(code, NONE), m), Some(Action::TermInput(want)));
        }
        assert_eq!(
            term_key(key(KeyCode::Char('c'), CTRL), m),
            Some(Action::TermInput(vec![3]))
        );
        let mut release = key(KeyCode::Char('x'), NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(term_key(release, m), None);
    }
}
