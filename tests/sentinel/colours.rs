//! The pane's colours, with colours on (the snapshots in pane.rs are colourless): the master
//! green while up and red once it is down, a down replica and a down sentinel red, the state
//! line green when connected and red when every sentinel is down. Cells are found by their
//! text, so the layout can change without these tests knowing.

use kubetutor::sentinel::SentinelView;
use kubetutor::tui::sentinel_pane::SentinelPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::recorded::{self, replay, t};

const COLOURS: Theme = Theme::DARK;

fn draw(view: &SentinelView, width: u16, height: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    term.draw(|f| {
        let pane = SentinelPane {
            view,
            theme: COLOURS,
            lesson_complete: false,
            lang: Default::default(),
        };
        f.render_widget(pane, f.area())
    })
    .expect("draw");
    term.backend().buffer().clone()
}

/// Colour and modifiers of a cell (background and underline colour are never set here).
type Look = (Color, Modifier);

/// The look of the cells of the first `text` on the line starting with `line_start`; all alike.
fn style_of(buf: &Buffer, line_start: &str, text: &str) -> Look {
    let area = buf.area;
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        if !line.trim_start().starts_with(line_start) {
            continue;
        }
        let Some(at) = line.find(text) else { continue };
        let x = line[..at].chars().count() as u16;
        let styles: Vec<Look> = (x..x + text.chars().count() as u16)
            .map(|x| (buf[(x, y)].fg, buf[(x, y)].modifier))
            .collect();
        assert!(
            styles.windows(2).all(|w| w[0] == w[1]),
            "{text:?} is drawn in mixed styles: {styles:?}"
        );
        return styles[0];
    }
    panic!("no line starting {line_start:?} with {text:?}:\n{buf:?}");
}

const OK: Look = (Color::Green, Modifier::BOLD);
const BAD: Look = (Color::Red, Modifier::BOLD);
const PLAIN: Look = (Color::Reset, Modifier::empty());

fn before() -> SentinelView {
    let mut v = recorded::view();
    replay(&mut v, recorded::settled());
    v
}

#[test]
fn master_up_and_connected_are_green_sentinels_plain() {
    let buf = draw(&before(), 52, 24);
    assert_eq!(style_of(&buf, "MASTER", "MASTER"), OK);
    assert_eq!(style_of(&buf, "MASTER", "up"), OK);
    assert_eq!(style_of(&buf, "●", "● connected to 3/3"), OK);
    // A healthy link carries no colour: only trouble stands out.
    assert_eq!(style_of(&buf, "◉ 10.244.1.10", "✓"), PLAIN);
}

#[test]
fn a_master_down_is_red() {
    let mut v = before();
    let failover = recorded::failover();
    replay(
        &mut v,
        failover.into_iter().filter(|(at, _)| *at <= t(1235)),
    );
    let buf = draw(&v, 52, 24);
    assert_eq!(style_of(&buf, "MASTER", "MASTER"), BAD);
    assert_eq!(style_of(&buf, "MASTER", "o_down"), BAD);
}

#[test]
fn the_old_master_as_a_down_replica_is_red_the_new_master_green() {
    let mut v = before();
    replay(&mut v, recorded::failover());
    replay(&mut v, recorded::after());
    let buf = draw(&v, 52, 30);
    assert_eq!(style_of(&buf, "MASTER", "10.244.2.7:6379"), PLAIN);
    assert_eq!(style_of(&buf, "MASTER", "up"), OK);
    assert_eq!(style_of(&buf, "├─▶ 10.244.1.5", "s_down"), BAD);
    assert_eq!(style_of(&buf, "├─▶", "├─▶").0, Color::DarkGray);
}

#[test]
fn sentinels_down_are_red() {
    let mut v = before();
    recorded::all_down(&mut v);
    let buf = draw(&v, 52, 8);
    assert_eq!(style_of(&buf, "✖ all", "✖ all 3 sentinels down"), BAD);
    // Sentinels are named by IP here (they all listen on 26379).
    for s in ["◉ 10.244.1.10", "◉ 10.244.2.11", "◉ 10.244.3.12"] {
        assert_eq!(style_of(&buf, s, "✖ down (try 4)"), BAD);
    }
    assert_eq!(
        style_of(&buf, "mymaster", "mymaster"),
        (Color::Cyan, Modifier::BOLD)
    );
}
