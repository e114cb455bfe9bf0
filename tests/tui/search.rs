//! Issue 18, item 5: `/` searches the lesson (prose, step headings, commands) as you type,
//! the view jumps to the first match after where you were, matches are highlighted (reversed,
//! so it reads under NO_COLOR), Enter keeps the search for `n` / `N`, Esc clears it. The help
//! scrolls when the screen is too short for every key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubetutor::app::{App, Overlay};
use kubetutor::tui::keymap::{HELP, map_key};
use kubetutor::tui::lesson_view::LessonView;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::render::{draw_plain, open_plain, rows};

fn press(app: &mut App, view: &mut LessonView, code: KeyCode) -> Terminal<TestBackend> {
    let action = map_key(
        KeyEvent::new(code, KeyModifiers::NONE),
        app.overlay.as_ref(),
    )
    .unwrap_or_else(|| panic!("{code:?} is not bound"));
    app.update(action);
    // Each key is a frame: the view lays the lesson out and reports the matches.
    draw_plain(app, view, 80, 24)
}

fn type_text(app: &mut App, view: &mut LessonView, text: &str) -> Terminal<TestBackend> {
    let mut last = None;
    for c in text.chars() {
        last = Some(press(app, view, KeyCode::Char(c)));
    }
    last.expect("some text")
}

/// The text drawn reversed on screen, row by row (what a match looks like under NO_COLOR).
fn reversed(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| {
            row.iter()
                .filter(|c| c.modifier.contains(Modifier::REVERSED))
                .map(|c| c.symbol())
                .collect::<String>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

#[test]
fn slash_finds_as_you_type_highlights_and_n_walks_the_matches() {
    let (mut app, mut view) = open_plain("basic.md");
    draw_plain(&mut app, &mut view, 80, 24);
    press(&mut app, &mut view, KeyCode::Char('/'));
    assert_eq!(app.overlay, Some(Overlay::Search));
    let terminal = type_text(&mut app, &mut view, "echo");
    let screen = rows(&terminal);
    let bar = screen.last().expect("status bar");
    // The hello cell and the fails cell; smart case: "echo" matches "Echo" too.
    assert!(bar.contains("/echo▌  2 lines"), "{bar}");
    assert!(bar.contains("Enter keeps it · Esc cancels"), "{bar}");
    assert!(
        reversed(&terminal).iter().any(|r| r == "echo"),
        "match not highlighted: {:?}\n{}",
        reversed(&terminal),
        screen.join("\n")
    );
    let first = app.geometry.matches[0];
    assert!((app.scroll..app.scroll + 23).contains(&first));

    // Enter keeps it; n goes to the second match (the view scrolls to it), n again wraps.
    press(&mut app, &mut view, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert!(
        app.notice.as_deref().unwrap_or("").contains("match 1 of 2"),
        "{:?}",
        app.notice
    );
    let terminal = press(&mut app, &mut view, KeyCode::Char('n'));
    assert_eq!(
        app.step, 0,
        "n moves between matches, not steps, while searching"
    );
    assert!(app.notice.as_deref().unwrap_or("").contains("match 2 of 2"));
    let second = app.geometry.matches[1];
    assert!(
        (app.scroll..app.scroll + 23).contains(&second),
        "scroll {} match {second}",
        app.scroll
    );
    assert!(rows(&terminal).iter().any(|r| r.contains("about to fail")));
    press(&mut app, &mut view, KeyCode::Char('n'));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("match 1 of 2 (from the top)")
    );
    press(&mut app, &mut view, KeyCode::Char('N'));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("(from the bottom)")
    );

    // Esc clears: no highlight, and n is the next step again.
    let terminal = press(&mut app, &mut view, KeyCode::Esc);
    assert!(app.search.is_none());
    assert!(reversed(&terminal).iter().all(|r| !r.contains("echo")));
    let step = app.step;
    press(&mut app, &mut view, KeyCode::Char('n'));
    assert_eq!(app.step, (step + 1).min(1));
}

#[test]
fn a_query_not_found_says_so_and_esc_goes_back_where_the_search_began() {
    let (mut app, mut view) = open_plain("basic.md");
    draw_plain(&mut app, &mut view, 80, 24);
    press(&mut app, &mut view, KeyCode::Char('j'));
    press(&mut app, &mut view, KeyCode::Char('j'));
    let began = app.scroll;
    press(&mut app, &mut view, KeyCode::Char('/'));
    // A match far below moves the view; erasing it to nothing found moves it back.
    type_text(&mut app, &mut view, "sleep");
    assert_ne!(app.scroll, began);
    let terminal = type_text(&mut app, &mut view, "zz");
    assert!(rows(&terminal).last().unwrap().contains("not found"));
    assert_eq!(app.scroll, began);
    press(&mut app, &mut view, KeyCode::Enter);
    assert!(app.search.is_none());
    assert_eq!(app.notice.as_deref(), Some("Not found: sleepzz"));

    press(&mut app, &mut view, KeyCode::Char('/'));
    type_text(&mut app, &mut view, "Wait and");
    assert_eq!(app.geometry.matches.len(), 1, "the step heading");
    assert_ne!(app.scroll, began);
    press(&mut app, &mut view, KeyCode::Esc);
    assert_eq!(app.scroll, began, "Esc returns where the search began");
    assert!(app.search.is_none() && app.overlay.is_none());
}

#[test]
fn the_help_scrolls_on_a_short_screen() {
    let (mut app, mut view) = open_plain("basic.md");
    draw_plain(&mut app, &mut view, 100, 20);
    app.update(kubetutor::app::Action::ToggleHelp);
    let terminal = draw_plain(&mut app, &mut view, 100, 20);
    let screen = rows(&terminal).join("\n");
    assert!(screen.contains("keys · j/k scroll, more below"), "{screen}");
    assert!(
        !screen.contains("quit (asks while commands run)"),
        "{screen}"
    );
    for _ in 0..HELP.len() {
        let action = map_key(
            KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE),
            app.overlay.as_ref(),
        )
        .expect("j scrolls the help");
        app.update(action);
    }
    let terminal = draw_plain(&mut app, &mut view, 100, 20);
    let screen = rows(&terminal).join("\n");
    assert!(
        screen.contains("quit (asks while commands run)"),
        "{screen}"
    );
    assert!(!screen.contains("more below"), "{screen}");
    // One k shows one line more at the top at once: the scroll stopped at the end.
    let Some(Overlay::Help { scroll }) = app.overlay else {
        panic!("help closed by j")
    };
    app.update(
        map_key(
            KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE),
            app.overlay.as_ref(),
        )
        .unwrap(),
    );
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: scroll - 1 }));
    // Any other key closes it.
    app.update(
        map_key(
            KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            app.overlay.as_ref(),
        )
        .unwrap(),
    );
    assert!(app.overlay.is_none());
}
