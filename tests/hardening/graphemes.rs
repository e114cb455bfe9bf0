//! Item 12: frames are cut between grapheme clusters, never inside one. A ZWJ emoji cut after
//! a joiner made the terminal merge the border into it (the border moved a column and a
//! stray corner stayed in the margin). Every row of every cell frame must end with its
//! border at the same display column, whatever cluster sits at the edge.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::tmux::Tmux;
use crate::util::{open, scratch};

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
const FLAGS: &str = "🇩🇪🇫🇷";
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
    for cluster in [FAMILY, FLAGS, COMBINING, CJK] {
        let line: String = (108..120)
            .map(|n| format!("printf '%{n}s{cluster}|\\n' '' | tr ' ' y\n"))
            .collect();
        md.push_str(&format!("```sh\n{line}```\n\n"));
    }
    let l = scratch(&md);
    open(&tmux, &l.file, "Step 1/1");
    tmux.send(&["a"]);
    let screen = loop {
        let screen = tmux.screen();
        if screen.matches("✓ passed").count() == 4 {
            break screen;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let mut rows = 0;
    let mut right = None;
    for line in screen.lines() {
        let Some(last) = line.trim_end().chars().last() else { continue };
        let framed = line.trim_start().starts_with(['│', '╭', '╰', '├']);
        if !framed {
            continue;
        }
        rows += 1;
        assert!(BORDERS.contains(&last), "row without its border: {line:?}");
        assert!(!line.contains("\u{200d}│"), "joiner glued to the border: {line:?}");
        let w = width(line.trim_end());
        assert_eq!(*right.get_or_insert(w), w, "border moved on {line:?}\n{screen}");
    }
    assert!(rows > 4 * 14, "frames not found:\n{screen}");
    tmux.send(&["q"]);
    tmux.wait_exit();
}
