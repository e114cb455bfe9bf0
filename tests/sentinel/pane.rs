//! Snapshots of the pane before, during and after the recorded failover, and its other states.

use std::time::Duration;

use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{SentinelUpdate, SentinelView};
use kubetutor::tui::sentinel_pane::SentinelPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::recorded::{self, endpoint, replay, t};

fn draw(view: &SentinelView, width: u16, height: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    term.draw(|f| {
        f.render_widget(
            SentinelPane {
                view,
                theme: Theme::plain(),
            },
            f.area(),
        )
    })
    .expect("draw");
    term.backend().to_string()
}

fn before() -> SentinelView {
    let mut v = recorded::view();
    replay(&mut v, recorded::settled());
    v
}

fn during() -> SentinelView {
    let mut v = before();
    replay(
        &mut v,
        recorded::failover()
            .into_iter()
            .filter(|(at, _)| *at <= t(1235)),
    );
    v
}

fn after() -> SentinelView {
    let mut v = before();
    replay(&mut v, recorded::failover());
    replay(&mut v, recorded::after());
    v
}

#[test]
fn before_failover() {
    insta::assert_snapshot!(draw(&before(), 52, 16));
}

#[test]
fn during_failover() {
    insta::assert_snapshot!(draw(&during(), 52, 24));
}

#[test]
fn after_failover() {
    insta::assert_snapshot!(draw(&after(), 52, 30));
}

#[test]
fn after_failover_narrow_and_short() {
    insta::assert_snapshot!(draw(&after(), 30, 12));
}

#[test]
fn split_view() {
    let mut v = before();
    let topology = recorded::topology(recorded::NEW, "master", 1, 0);
    v.apply(
        SentinelUpdate::Topology {
            endpoint: endpoint(0),
            topology,
        },
        t(3000),
    );
    insta::assert_snapshot!(draw(&v, 52, 16));
}

#[test]
fn all_sentinels_down() {
    let mut v = before();
    recorded::all_down(&mut v);
    insta::assert_snapshot!(draw(&v, 52, 8));
}

#[test]
fn one_unreachable_sentinel_shows_the_retry_in_a_narrow_pane() {
    let mut v = recorded::view();
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(0),
            state: LinkState::Unreachable {
                attempt: 4,
                backoff: Duration::from_secs(2),
                error: "Connection refused (os error 111)".into(),
            },
        },
        t(9000),
    );
    let screen = draw(&v, 44, 8);
    assert!(screen.contains("✖ unreachable; retry 5 in 2"), "{screen}");
}

#[test]
fn auth_required() {
    let mut v = recorded::view();
    let state = LinkState::AuthRequired;
    v.apply(
        SentinelUpdate::Link {
            endpoint: endpoint(0),
            state,
        },
        t(0),
    );
    insta::assert_snapshot!(draw(&v, 52, 4));
}

#[test]
fn tiny_areas_do_not_panic() {
    let v = after();
    for (w, h) in [(0, 0), (0, 5), (5, 0), (1, 1), (5, 2), (12, 3), (200, 1)] {
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        ratatui::widgets::Widget::render(
            SentinelPane {
                view: &v,
                theme: Theme::plain(),
            },
            area,
            &mut buf,
        );
    }
}
