//! The help overlay and the key table agree: every key the help shows does what its line says,
//! every key that does something has a help line, and the status bar hints are real keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubetutor::app::action::Action;
use kubetutor::tui::keymap::{HELP, HINTS, Key, map_key};

fn press(key: Key) -> Option<Action> {
    let mods = if key.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    map_key(KeyEvent::new(key.code, mods), None)
}

/// The name the help uses for a key.
fn name(key: Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) if key.ctrl => c.to_ascii_uppercase().to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::BackTab => "S-Tab".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl { format!("^{base}") } else { base }
}

/// The keys a help line shows: "j / k, ↓ / ↑" is j, k, ↓ and ↑.
fn shown(keys: &str) -> Vec<String> {
    keys.split(", ")
        .flat_map(|group| group.split(" / "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_in_the_help_does_what_its_line_says() {
    for b in HELP {
        for (key, action) in b.map {
            assert_eq!(
                press(*key).as_ref(),
                Some(action),
                "{} ({}) in the help line {:?}",
                name(*key),
                b.what,
                b.keys
            );
        }
    }
}

#[test]
fn every_help_line_shows_exactly_its_keys() {
    for b in HELP.iter().filter(|b| !b.map.is_empty()) {
        let bound: Vec<String> = b.map.iter().map(|(k, _)| name(*k)).collect();
        assert_eq!(shown(b.keys), bound, "help line {:?}: {}", b.keys, b.what);
    }
    let unbound: Vec<&str> = HELP
        .iter()
        .filter(|b| b.map.is_empty())
        .map(|b| b.keys)
        .collect();
    assert_eq!(
        unbound,
        ["Ctrl-]", "any key", "mouse"],
        "only the mouse, a terminal's leave key and present mode's skip are mapped elsewhere"
    );
    // The leave key's line is real: a focused terminal maps it (tui::term_keys).
    let leave = KeyEvent::new(KeyCode::Char(']'), KeyModifiers::CONTROL);
    let modes = kubetutor::exec::term_emulator::InputModes::default();
    assert_eq!(
        kubetutor::tui::term_keys::term_key(leave, modes),
        Some(Action::TermLeave)
    );
}

/// Every key a terminal can send that map_key answers has a help line.
#[test]
fn every_mapped_key_is_in_the_help() {
    let specials = [
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::F(1),
        KeyCode::F(12),
    ];
    let chars = (' '..='~').chain(['ä', '中']).map(KeyCode::Char);
    let in_help: Vec<Key> = HELP.iter().flat_map(|b| b.map).map(|(k, _)| *k).collect();
    let mut checked = 0;
    for code in chars.chain(specials) {
        for ctrl in [false, true] {
            let key = Key { code, ctrl };
            if press(key).is_some() {
                checked += 1;
                assert!(
                    in_help.contains(&key),
                    "{} is bound but not in the help",
                    name(key)
                );
            }
        }
    }
    assert_eq!(
        checked,
        in_help.len(),
        "a help key is bound twice or not at all"
    );
}

#[test]
fn the_status_bar_hints_are_bound_keys() {
    for hint in HINTS.split("  ") {
        let keys = hint.split_whitespace().next().expect("key");
        for k in keys.split('/') {
            let key = match k {
                "⏎" => Key {
                    code: KeyCode::Enter,
                    ctrl: false,
                },
                "^C" => Key {
                    code: KeyCode::Char('c'),
                    ctrl: true,
                },
                _ => {
                    let mut c = k.chars();
                    let (Some(c), None) = (c.next(), c.next()) else {
                        panic!("hint key {k:?} is not a single key");
                    };
                    Key {
                        code: KeyCode::Char(c),
                        ctrl: false,
                    }
                }
            };
            assert!(press(key).is_some(), "hint {hint:?}: {k} does nothing");
        }
    }
}
