//! Issue 18, item 5: `t` lists every step with its mark and cells passed; ↑/↓ or a typed
//! number choose one, Enter jumps there (the view scrolls to its heading), Esc closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubetutor::app::{Action, App, Overlay};
use kubetutor::exec::{ExecEvent, Outcome};
use kubetutor::tui::keymap::map_key;
use std::time::Duration;

use super::render::{draw_plain, open_plain, screen_text};

/// A key as the runtime maps it, given the overlay on screen, applied to the app.
fn press(app: &mut App, code: KeyCode) {
    let action = map_key(
        KeyEvent::new(code, KeyModifiers::NONE),
        app.overlay.as_ref(),
    )
    .unwrap_or_else(|| panic!("{code:?} is not bound"));
    app.update(action);
}

fn pass(app: &mut App, id: &str) {
    let cell = app.cells.iter().position(|c| c.id == id).expect(id);
    app.update(Action::Exec(ExecEvent::Started { cell, attempt: 1 }));
    app.update(Action::Exec(ExecEvent::Finished {
        cell,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(10),
    }));
}

#[test]
fn the_step_list_shows_progress_and_jumps_by_arrow_or_number() {
    let (mut app, mut view) = open_plain("basic.md");
    pass(&mut app, "hello");
    draw_plain(&mut app, &mut view, 100, 30);
    press(&mut app, KeyCode::Char('t'));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Steps { selected: 0, .. })
    ));
    let terminal = draw_plain(&mut app, &mut view, 100, 30);
    let text = screen_text(&terminal);
    assert!(text.contains("1 of 2 steps done"), "{text}");
    assert!(text.contains("✓ ▶ 1  Say hello"), "{text}");
    assert!(text.contains("○   2  Wait and fail"), "{text}");
    insta::assert_snapshot!("step_list", terminal.backend());

    // ↓ then Enter: step 2, its heading at the top of the view (or the end of the lesson).
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(app.step, 1);
    draw_plain(&mut app, &mut view, 100, 30);
    let heading = app.geometry.step_lines[1].min(app.geometry.max_scroll());
    assert_eq!(app.scroll, heading);

    // A number picks the step; out of range it keeps the selection; Esc jumps nowhere.
    press(&mut app, KeyCode::Char('t'));
    press(&mut app, KeyCode::Char('1'));
    assert!(matches!(&app.overlay, Some(Overlay::Steps { selected: 0, typed }) if typed == "1"));
    press(&mut app, KeyCode::Char('7'));
    assert!(matches!(&app.overlay, Some(Overlay::Steps { selected: 0, typed }) if typed == "17"));
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    assert_eq!(app.step, 1, "Esc does not jump");
    press(&mut app, KeyCode::Char('t'));
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step, 0);
    assert_eq!(app.focus.map(|c| app.cells[c].id.as_str()), Some("hello"));
}
