//! Issue 18, item 1: a cell's output wraps by default, so the part of a line that matters (the
//! promoted node's port, the end of an error) is never cut at the frame; `w` switches it to
//! cut lines scrolled sideways with ←/→ (k9s's log view), and says so in the output rule.

use kubetutor::app::{Action, App};
use kubetutor::exec::{ExecEvent, Outcome, Stream};
use kubetutor::tui::lesson_view::LessonView;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

use super::render::{draw_plain, open_plain, rows};

const SWITCH: &str = "+switch-master mymaster 127.0.0.1 16379 127.0.0.1 16380 \
                      (failover finished: 127.0.0.1:16380 is the master now)";

/// The text inside cell frames, frame and scrollbar characters blanked, runs of spaces joined.
fn flat(terminal: &Terminal<TestBackend>) -> String {
    let text = rows(terminal)
        .iter()
        .map(|r| r.replace(['│', '█', '║'], " "))
        .collect::<Vec<_>>()
        .join(" ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `hello` cell of the fixture, run, with `output` as what it printed.
fn ran_with(output: &str) -> (App, LessonView, usize) {
    let (mut app, view) = open_plain("basic.md");
    let cell = app
        .cells
        .iter()
        .position(|c| c.id == "hello")
        .expect("hello");
    for _ in 0..app.cells.len() {
        if app.focus == Some(cell) {
            break;
        }
        app.update(Action::NextCell);
    }
    assert_eq!(app.focus, Some(cell));
    app.update(Action::Exec(ExecEvent::Started { cell, attempt: 1 }));
    app.update(Action::Exec(ExecEvent::Output {
        cell,
        stream: Stream::Stdout,
        bytes: output.as_bytes().to_vec(),
    }));
    app.update(Action::Exec(ExecEvent::Finished {
        cell,
        outcome: Outcome::Passed,
        duration: Duration::from_millis(20),
    }));
    (app, view, cell)
}

#[test]
fn a_long_output_line_wraps_whole_and_w_cuts_it_with_a_sideways_scroll() {
    let (mut app, mut view, _) = ran_with(&format!("{SWITCH}\nsecond line\n"));
    let terminal = draw_plain(&mut app, &mut view, 60, 30);
    let joined = flat(&terminal);
    // Wrapped at the character (output is not prose): rejoin the rows without spaces.
    let compact: String = joined.split_whitespace().collect();
    let wanted: String = SWITCH.split_whitespace().collect();
    assert!(compact.contains(&wanted), "{joined}");
    assert!(joined.contains("second line"), "{joined}");
    insta::assert_snapshot!("wrapped_output", terminal.backend());

    app.update(Action::ToggleWrap);
    let terminal = draw_plain(&mut app, &mut view, 60, 30);
    let joined = flat(&terminal);
    assert!(joined.contains("not wrapped, from column 1"), "{joined}");
    assert!(
        !joined.contains("is the master now"),
        "cut, not wrapped: {joined}"
    );
    assert!(joined.contains("second line"), "{joined}");

    for _ in 0..20 {
        app.update(Action::OutputPan(8));
    }
    let terminal = draw_plain(&mut app, &mut view, 60, 30);
    let joined = flat(&terminal);
    assert!(
        joined.contains("is the master now)"),
        "scrolled to the end: {joined}"
    );
    assert!(!joined.contains("+switch-master"), "{joined}");
    // Never past the widest line: its end stops at the border, the row full.
    assert!(
        joined.contains("(failover finished: 127.0.0.1:16380"),
        "{joined}"
    );
    insta::assert_snapshot!("unwrapped_output_scrolled", terminal.backend());

    app.update(Action::ToggleWrap);
    let joined = flat(&draw_plain(&mut app, &mut view, 60, 30));
    assert!(
        joined.contains("+switch-master"),
        "wrapped again from the start: {joined}"
    );
}

/// A 4 KB line without a newline must not push the lesson off the screen: the folded view
/// wraps it to a few rows and says how much is left and how to read it.
#[test]
fn a_huge_line_wraps_to_a_bounded_number_of_rows_and_says_what_is_left() {
    let blob = "x".repeat(3000);
    let (mut app, mut view, cell) = ran_with(&format!("{blob}\n"));
    let terminal = draw_plain(&mut app, &mut view, 60, 40);
    let screen = rows(&terminal);
    let xs = screen.iter().filter(|r| r.contains("xxxxxxxxxx")).count();
    assert!(
        (2..=6).contains(&xs),
        "{xs} rows of x:\n{}",
        screen.join("\n")
    );
    let joined = flat(&terminal);
    assert!(
        joined.contains("more columns of this line (o expand · w no-wrap)"),
        "{joined}"
    );
    app.update(Action::ToggleExpand);
    assert!(app.runs[cell].expanded);
    let terminal = draw_plain(&mut app, &mut view, 60, 120);
    let xs = rows(&terminal)
        .iter()
        .filter(|r| r.contains("xxxxxxxxxx"))
        .count();
    assert!(xs > 6, "expanded shows more of it: {xs}");
}

/// The frame holds whatever width the output is wrapped at: every framed row ends with its
/// border in the same column (the layout's heights and the drawn rows agree, which the
/// lesson view asserts in debug builds).
#[test]
fn wrapped_rows_keep_the_border_at_every_width() {
    let (mut app, mut view, _) = ran_with(&format!(
        "{SWITCH}\n界界界界界界界界界界界界界界界界界界界界界界界界界界界界界界\n"
    ));
    for width in [44u16, 57, 80, 119] {
        let terminal = draw_plain(&mut app, &mut view, width, 60);
        let framed: Vec<String> = rows(&terminal)
            .into_iter()
            .filter(|r| r.trim_start().starts_with('│') && r.contains("127.0.0.1"))
            .collect();
        assert!(!framed.is_empty(), "no output rows at {width}");
        let ends: Vec<usize> = framed
            .iter()
            .map(|r| r.trim_end().chars().count())
            .collect();
        assert!(
            ends.windows(2).all(|w| w[0] == w[1]),
            "width {width}: {framed:#?}"
        );
    }
}

/// The layout counts rows without drawing them (every cell, every frame); drawn with colours,
/// the rows must be as many (the lesson view asserts it in debug builds): coloured, wide and
/// long lines at many widths, folded and expanded.
#[test]
fn counted_rows_match_the_drawn_ones_with_colours() {
    use kubetutor::tui::theme::Theme;
    let coloured = format!(
        "\x1b[31m{}\x1b[0m\n\x1b[1;32m{}\x1b[0m tail\nshort\n{}\n",
        "red ".repeat(40),
        "界".repeat(70),
        "x".repeat(5000)
    );
    let (mut app, _, cell) = ran_with(&coloured);
    let lesson = kubetutor::lesson::parse(
        &app.lesson.path,
        &std::fs::read_to_string(&app.lesson.path).unwrap(),
    )
    .unwrap();
    let mut view = LessonView::new(&lesson, Theme::truecolor());
    for expanded in [false, true] {
        if expanded {
            app.update(Action::ToggleExpand);
            assert!(app.runs[cell].expanded);
        }
        for width in (44..130).step_by(7) {
            let terminal = draw_plain(&mut app, &mut view, width, 50);
            assert!(!rows(&terminal).is_empty());
        }
    }
}
