//! The keyboard focus of interactive cells, through `App::update`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::terminal::term_size_for;
use super::*;
use crate::exec::term_emulator::TermSize;
use crate::exec::{ExecEvent, Outcome};
use crate::tui::term_keys::term_key;

const LESSON: &str = r#"---
title: T
---
## One

```sh {id=cli interactive=true}
redis-cli
```

```sh {id=after}
echo after
```
"#;

fn app() -> App {
    let lesson = crate::lesson::parse(Path::new("/tmp/l/lesson.md"), LESSON).expect("parses");
    let mut app = App::new(Arc::new(lesson), false);
    lay(&mut app, (1, 0, 80, 40));
    app
}

/// A frame laid out with the lesson column at `viewport`; what taking it asks for.
fn lay(app: &mut App, viewport: (u16, u16, u16, u16)) -> Vec<Effect> {
    let geometry = Geometry {
        viewport,
        ..Default::default()
    };
    app.update(Action::Laid(geometry))
}

fn key(app: &App, code: KeyCode, mods: KeyModifiers) -> Action {
    term_key(KeyEvent::new(code, mods), app.term_modes()).expect("an action")
}

#[test]
fn enter_starts_the_terminal_with_the_keyboard_and_keys_go_to_it_at_once() {
    let mut app = app();
    let size = term_size_for((1, 0, 80, 40));
    assert_eq!(app.term_size, size);
    assert_eq!(
        app.update(Action::RunFocused),
        vec![Effect::RunTerminal { cell: 0, size }]
    );
    assert_eq!(app.term_focus, Some(0));
    assert_eq!(app.runs[0].status, CellStatus::Queued);
    // Before the engine even reports the start: the keys are the program's.
    let q = key(&app, KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(
        app.update(q),
        vec![Effect::TermInput {
            cell: 0,
            bytes: b"q".to_vec()
        }]
    );
    assert!(app.overlay.is_none() && !app.quit);
}

#[test]
fn leave_then_enter_returns_and_the_session_text_becomes_the_output() {
    let mut app = app();
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Started {
        cell: 0,
        attempt: 1,
    }));
    app.update(Action::Exec(ExecEvent::Terminal {
        cell: 0,
        bytes: b"\x1b[?1h127.0.0.1:6379> ".to_vec(),
    }));
    assert!(app.shows_terminal(0));
    // Application cursor mode, as the program asked.
    let up = key(&app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(up, Action::TermInput(b"\x1bOA".to_vec()));
    let leave = key(&app, KeyCode::Char(']'), KeyModifiers::CONTROL);
    app.update(leave);
    assert_eq!(app.term_focus, None);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("Enter returns"))
    );
    // The lesson's keys work again; Enter on the running cell gives the keyboard back.
    app.update(Action::NextCell);
    app.update(Action::PrevCell);
    assert_eq!(app.update(Action::RunFocused), Vec::new());
    assert_eq!(app.term_focus, Some(0));
    app.update(Action::TermPaste("a\nb".into()));
    app.update(Action::Exec(ExecEvent::TermText {
        cell: 0,
        text: "127.0.0.1:6379> set k v\nOK\n".into(),
    }));
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_secs(3),
    }));
    assert_eq!(app.term_focus, None);
    assert!(!app.shows_terminal(0) && app.runs[0].term.is_none());
    let lines: Vec<&str> = app.runs[0].output.lines().collect();
    assert_eq!(lines, ["127.0.0.1:6379> set k v", "OK"]);
}

#[test]
fn paste_is_bracketed_only_when_the_program_asks() {
    let mut app = app();
    app.update(Action::RunFocused);
    let plain = app.update(Action::TermPaste("x\ny".into()));
    assert_eq!(
        plain,
        vec![Effect::TermInput {
            cell: 0,
            bytes: b"x\ry".to_vec()
        }]
    );
    app.update(Action::Exec(ExecEvent::Terminal {
        cell: 0,
        bytes: b"\x1b[?2004h".to_vec(),
    }));
    let bracketed = app.update(Action::TermPaste("x".into()));
    assert_eq!(
        bracketed,
        vec![Effect::TermInput {
            cell: 0,
            bytes: b"\x1b[200~x\x1b[201~".to_vec()
        }]
    );
}

#[test]
fn a_new_layout_resizes_running_terminals() {
    let mut app = app();
    app.update(Action::RunFocused);
    let size = term_size_for((1, 0, 60, 30));
    assert_eq!(
        lay(&mut app, (1, 0, 60, 30)),
        vec![Effect::TermResize { cell: 0, size }]
    );
    assert_eq!(app.runs[0].term.as_ref().map(|t| t.size()), Some(size));
    // The same layout again asks for nothing.
    assert_eq!(lay(&mut app, (1, 0, 60, 30)), Vec::new());
    assert_eq!(size, TermSize { rows: 15, cols: 57 });
}

#[test]
fn a_refused_or_skipped_start_gives_the_keyboard_back() {
    let mut app = app();
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Refused {
            message: "no".into(),
        },
        duration: Duration::ZERO,
    }));
    assert_eq!(app.term_focus, None);
    assert!(app.runs[0].term.is_none());
}

#[test]
fn the_session_survives_a_restart_through_saved_progress() {
    let mut app = app();
    app.update(Action::RunFocused);
    app.update(Action::Exec(ExecEvent::TermText {
        cell: 0,
        text: "> set k q1a\nOK\n".into(),
    }));
    app.update(Action::Exec(ExecEvent::Finished {
        cell: 0,
        outcome: Outcome::Passed,
        duration: Duration::from_secs(1),
    }));
    let saved = app.progress();
    assert_eq!(
        saved.sessions.get("cli").map(String::as_str),
        Some("> set k q1a\nOK\n")
    );
    let mut again = self::app();
    again.restore(&saved);
    let lines: Vec<&str> = again.runs[0].output.lines().collect();
    assert_eq!(lines, ["> set k q1a", "OK"]);
    assert_eq!(again.runs[0].status, CellStatus::Earlier { passed: true });
}

#[test]
fn present_mode_types_the_stdin_script_a_word_per_key() {
    let text = LESSON.replace("interactive=true}", "interactive=true stdin=\"set k v\"}");
    let lesson = crate::lesson::parse(Path::new("/tmp/l/lesson.md"), &text).expect("parses");
    let mut app = App::new(Arc::new(lesson), true);
    lay(&mut app, (1, 0, 80, 40));
    app.update(Action::RunFocused);
    // The command is typed out first (instructor typing), then the terminal starts.
    for _ in 0..20 {
        app.update(Action::Tick);
    }
    assert_eq!(app.term_focus, Some(0));
    let typed = |app: &mut App, key: &[u8]| app.update(Action::TermInput(key.to_vec()));
    let input = |bytes: &[u8]| {
        vec![Effect::TermInput {
            cell: 0,
            bytes: bytes.to_vec(),
        }]
    };
    assert_eq!(typed(&mut app, b"x"), input(b"set "));
    assert_eq!(typed(&mut app, b"\x03"), input(b"\x03"));
    assert_eq!(typed(&mut app, b"\r"), input(b"k v\r"));
    assert_eq!(typed(&mut app, b"q"), input(b"q"));
}
