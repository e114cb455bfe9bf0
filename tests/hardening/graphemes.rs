//! Item 12: frames are cut between grapheme clusters, never inside one. A ZWJ emoji cut after
//! a joiner made the terminal merge the border into it (the border moved a column and a
//! stray corner stayed in the margin). Every row of every cell frame must end with its
//! border at the same display column, whatever cluster sits at the edge.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::tmux::Tmux;
use crate::util::{open, scratch};

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
const COMBINING: &str = "e\u{301}\u{302}\u{303}";
const CJK: &str = "界";

fn width(line: &str) -> usize {
    line.graphemes(true).map(|g| g.width()).sum()
}

const BORDERS: [char; 4] = ['│', '╮', '╯', '┤'];

#[test]
fn clusters_at_the_right_edge_never_move_the_border() {
    let Some(tmux) = Tmux::start() else { return };
    tmux.run(&["resize-window", "-t", "t", "-x", "120", "-y", "200"]);
    let mut md = String::from("# Edge\n\n## Step 1\n\n");
    // Flags (regional indicator pairs) are left out: tmux 3.3a does not pair them, so no
    // cut can make it agree with the grapheme width (docs/hardening.md).
    for cluster in [FAMILY, COMBINING, CJK] {
        let line: String = (108..120)
            .map(|n| format!("printf '%{n}s{cluster}|\\n' '' | tr ' ' y\n"))
            .collect();
        md.push_str(&format!("```sh\n{line}```\n\n"));
    }
    let l = scratch(&md);
    open(&tmux, &l.file, "Step 1/1");
    tmux.send(&["a"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let screen = loop {
        let screen = tmux.screen();
        // All three cells passed: the lesson's completion notice says so in the status bar.
        if screen.contains("✓ Lesson complete") {
            break screen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cells did not pass:\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let mut rows = 0;
    let mut right = None;
    for line in screen.lines() {
        let Some(last) = line.trim_end().chars().last() else {
            continue;
        };
        let framed = line.trim_start().starts_with(['│', '╭', '╰', '├']);
        if !framed {
            continue;
        }
        rows += 1;
        assert!(BORDERS.contains(&last), "row without its border: {line:?}");
        let w = width(line.trim_end());
        assert_eq!(
            *right.get_or_insert(w),
            w,
            "border moved on {line:?}\n{screen}"
        );
    }
    assert!(rows > 3 * 14, "frames not found:\n{screen}");
    crate::util::quit(&tmux);
}

/// The same through the public rendering path with ratatui's TestBackend, where every cell
/// of the screen is visible: no screen cell holds a cluster cut after a joiner, and the
/// right border of each output row is in the same column at every offset and width.
#[test]
fn rendered_rows_keep_clusters_whole_at_every_width() {
    use std::sync::Arc;

    use kubetutor::app::{Action, App};
    use kubetutor::exec::{ExecEvent, Stream};
    use kubetutor::tui::lesson_view::LessonView;
    use kubetutor::tui::screen;
    use kubetutor::tui::theme::Theme;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let md = "# Edge\n\n## Step 1\n\n```sh\nprint\n```\n";
    let lesson =
        Arc::new(kubetutor::lesson::parse(std::path::Path::new("/tmp/e.md"), md).expect("parses"));
    for cluster in [FAMILY, COMBINING, CJK, "👍🏽"] {
        for width in [60u16, 80, 120] {
            let mut app = App::new(lesson.clone(), false);
            let mut view = LessonView::quick(&lesson, Theme::plain());
            app.update(Action::Exec(ExecEvent::Started {
                cell: 0,
                attempt: 1,
            }));
            let bytes: String = (0..usize::from(width))
                .map(|n| format!("{}{cluster}|\n", "y".repeat(n)))
                .collect();
            let output = ExecEvent::Output {
                cell: 0,
                stream: Stream::Stdout,
                bytes: bytes.into_bytes(),
            };
            app.update(Action::Exec(output));
            app.update(Action::ToggleExpand);
            let mut terminal = Terminal::new(TestBackend::new(width, 200)).expect("terminal");
            screen::frame(&mut terminal, &mut app, &mut view).expect("draw");
            let buf = terminal.backend().buffer().clone();
            let mut border = None;
            for y in 0..buf.area.height {
                let row: Vec<&str> = (0..width).map(|x| buf[(x, y)].symbol()).collect();
                assert!(
                    !row.iter().any(|s| s.ends_with('\u{200d}')),
                    "{cluster} at {width}: a cut cluster in {:?}",
                    row.concat()
                );
                if row.concat().trim_start().starts_with("│ y") {
                    let at = row.iter().rposition(|s| *s == "│");
                    assert_eq!(
                        *border.get_or_insert(at),
                        at,
                        "{cluster} at {width}: {:?}",
                        row.concat()
                    );
                }
            }
            let all: String = (0..buf.area.height)
                .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
                .collect();
            assert!(border.is_some(), "no output rows drawn:\n{all}");
        }
    }
}
