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
                lesson_complete: false,
                lang: Default::default(),
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
    // Once connected, unreachable is news (before, it is a wait).
    v.ever_connected = true;
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
                lesson_complete: false,
                lang: Default::default(),
            },
            area,
            &mut buf,
        );
    }
}

/// One replica in each state Sentinel can report, in Sentinel's words.
fn replica_in(flags: &str, link_ok: bool, master_offset: u64) -> SentinelView {
    let mut v = before();
    let mut topology = recorded::topology(recorded::OLD, "master", 0, 0);
    topology.replicas.truncate(1);
    topology.replicas[0].flags = kubetutor::sentinel::report::Flags(flags.into());
    topology.replicas[0].link_ok = link_ok;
    for i in 0..3 {
        let mut mine = topology.clone();
        mine.sentinels = recorded::topology(recorded::OLD, "master", 0, i).sentinels;
        v.apply(
            SentinelUpdate::Topology {
                endpoint: endpoint(i),
                topology: mine,
            },
            t(100),
        );
    }
    let info = kubetutor::sentinel::report::parse_replication(&format!(
        "role:master\nslave0:ip=10.244.2.7,port=6379,state=online,offset=82004,lag=0\n\
         master_repl_offset:{master_offset}\n"
    ));
    v.apply(
        SentinelUpdate::MasterInfo {
            addr: kubetutor::sentinel::Addr::new(recorded::OLD, 6379),
            info: Ok(info),
        },
        t(100),
    );
    v
}

#[test]
fn replica_states_in_sentinels_words() {
    let cases = [
        ("replica_in_sync", "slave", true, 82_004 + 300),
        ("replica_lagging", "slave", true, 82_004 + 5_000),
        ("replica_disconnected", "slave,disconnected", true, 82_004),
        ("replica_s_down", "slave,s_down,disconnected", false, 82_004),
        ("replica_master_link_err", "slave", false, 82_004),
    ];
    for (name, flags, link_ok, offset) in cases {
        let screen = draw(&replica_in(flags, link_ok, offset), 52, 5);
        insta::assert_snapshot!(name, screen);
    }
}

/// The lesson's sentinel, started in step 3, not yet up.
fn waiting_view() -> SentinelView {
    let mut v = recorded::view();
    v.expected = Some("started in step 3".into());
    v.apply(
        SentinelUpdate::Link {
            endpoint: "127.0.0.1:26479".into(),
            state: LinkState::Unreachable {
                attempt: 3,
                backoff: Duration::from_millis(500),
                error: "Connection refused (os error 111)".into(),
            },
        },
        t(0),
    );
    v
}

#[test]
fn waiting_for_a_sentinel_the_lesson_starts_later() {
    let v = waiting_view();
    insta::assert_snapshot!(draw(&v, 52, 4));
}

#[test]
fn a_deleted_seed_pod_is_one_sentinel_shown_gone() {
    let v = crate::identity::after_two_deletions();
    insta::assert_snapshot!(draw(&v, 60, 22));
}

#[test]
fn after_failover_shows_detection_and_downtime_apart() {
    use kubetutor::sentinel::writes::WriteProbe;
    let mut v = before();
    let flip = |ok, ms| {
        SentinelUpdate::Writes(WriteProbe {
            ok,
            at: t(ms),
            master: ok.then(|| kubetutor::sentinel::Addr::new(recorded::NEW, 6379)),
        })
    };
    v.apply(flip(true, 60), t(60));
    // The master died at 0.9 s; sentinels noticed at 1.0 s (down-after) and switched at 2.2 s.
    v.apply(flip(false, 900), t(1000));
    replay(&mut v, recorded::failover());
    let mid = draw(&v, 52, 14);
    assert!(
        mid.contains("unavailable for writes: 1.5 s so far"),
        "{mid}"
    );
    v.apply(flip(true, 2300), t(2300));
    replay(&mut v, recorded::after());
    insta::assert_snapshot!(draw(&v, 52, 12));
}

#[test]
fn a_promoted_replica_ahead_of_the_sentinels_is_said_so() {
    use kubetutor::sentinel::writes::WriteProbe;
    let mut v = during();
    let back = WriteProbe {
        ok: true,
        at: t(1240),
        master: Some(kubetutor::sentinel::Addr::new(recorded::NEW, 6379)),
    };
    v.apply(
        SentinelUpdate::Writes(WriteProbe {
            ok: false,
            at: t(900),
            master: None,
        }),
        t(1000),
    );
    v.apply(SentinelUpdate::Writes(back), t(1240));
    let screen = draw(&v, 60, 16);
    assert!(screen.contains("(as Sentinel sees it)"), "{screen}");
    assert!(
        screen.contains("10.244.2.7:6379 already answers as master"),
        "{screen}"
    );
    // Once the sentinels switch, their view is the truth again.
    let mut v2 = v.clone();
    replay(&mut v2, recorded::failover());
    assert!(!draw(&v2, 60, 16).contains("as Sentinel sees it"));
}

/// Issue 18 item 1: a narrow pane wraps the failover headline and the event lines instead of
/// cutting them, so the promoted node's full address is on screen.
#[test]
fn narrow_failover_wraps_the_full_new_master_address() {
    let view = after();
    let new = view
        .failover
        .last
        .as_ref()
        .expect("a failover")
        .new
        .to_string();
    let screen = draw(&view, 34, 40);
    let rows: Vec<&str> = screen.lines().collect();
    let whole = rows.iter().any(|r| r.contains(new.as_str()));
    assert!(whole, "{new} is cut:\n{screen}");
    assert!(
        rows.iter().any(|r| r.contains("+switch-master")),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn after_the_clean_up_of_a_complete_lesson_down_is_the_expected_end() {
    let mut v = before();
    recorded::all_down(&mut v);
    let mut term = Terminal::new(TestBackend::new(60, 8)).expect("test terminal");
    term.draw(|f| {
        let pane = SentinelPane {
            view: &v,
            theme: Theme::plain(),
            lesson_complete: true,
            lang: Default::default(),
        };
        f.render_widget(pane, f.area())
    })
    .expect("draw");
    let screen = term.backend().to_string();
    assert!(
        screen.contains("○ stopped: the lesson is complete"),
        "{screen}"
    );
    assert!(!screen.contains('✖'), "{screen}");
    // Still a fault while the lesson is under way.
    assert!(draw(&v, 60, 8).contains("✖ all"), "{}", draw(&v, 60, 8));
}

/// Issue 18, item 9: a zh-CN lesson's pane speaks Chinese (its own words and the events'
/// explanations); Sentinel's own terms and replies stay as Sentinel writes them.
#[test]
fn the_pane_in_chinese() {
    use kubetutor::text::UiLang;
    let draw_zh = |v: &SentinelView, width: u16, height: u16| {
        let mut term = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        term.draw(|f| {
            let pane = SentinelPane {
                view: v,
                theme: Theme::plain(),
                lesson_complete: false,
                lang: UiLang::Chinese,
            };
            f.render_widget(pane, f.area())
        })
        .expect("draw");
        // Wide characters take two cells; the second one reads as a space here.
        term.backend().to_string().replace(' ', "")
    };
    let v = waiting_view();
    let waiting = draw_zh(&v, 60, 4);
    assert!(waiting.contains("○等待127.0.0.1:26479"), "{waiting}");

    let mut v = before();
    replay(&mut v, recorded::failover());
    let after = draw_zh(&v, 60, 30);
    assert!(after.contains("发现→切换"), "{after}");
    assert!(after.contains("──事件（"), "{after}");
    assert!(
        after.contains("客户端现在必须使用新的主节点地址"),
        "{after}"
    );
    assert!(
        after.contains("+switch-master"),
        "Sentinel's event names stay: {after}"
    );
}
