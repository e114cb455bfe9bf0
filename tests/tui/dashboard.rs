//! The instructor's dashboard (`workshop status` on a terminal), drawn on a TestBackend from
//! a room of four learners: who needs help first and in red, the summary line, the selected
//! learner's last failed output, and control bytes from a learner's name never reaching the
//! terminal.

use kubetutor::app::dashboard::{DashAction, Dashboard};
use kubetutor::tui::dashboard::draw;
use kubetutor::tui::theme::Theme;
use kubetutor::workshop::progress::{Failing, Progress, Running};
use kubetutor::workshop::status::{Learner, Snapshot};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::render::rows;

const NOW: u64 = 1_800_000_000_000;

fn room() -> Snapshot {
    let p = |step: usize, failing: Option<(&str, u64)>, running: bool| Progress {
        step,
        steps: 12,
        cells: vec![],
        running: running.then(|| Running {
            id: "wait-ready".into(),
            since: NOW - 42_000,
        }),
        failing: failing.map(|(output, ago)| Failing {
            id: "master-running".into(),
            since: NOW - ago,
            output: output.into(),
        }),
        last_activity: NOW - 3_000,
    };
    let learners = ["ana", "bo", "cy\u{1b}[2J", "dee"]
        .iter()
        .enumerate()
        .map(|(i, n)| Learner::new(n, &format!("room-{i}")))
        .collect::<Vec<_>>();
    let progress = [
        (learners[0].namespace.clone(), p(7, None, true)),
        (
            learners[1].namespace.clone(),
            p(
                3,
                Some((
                    "pod/redis-master: ImagePullBackOff\nerror: timed out",
                    200_000,
                )),
                false,
            ),
        ),
        (
            learners[2].namespace.clone(),
            p(5, Some(("not yet", 10_000)), false),
        ),
    ]
    .into_iter()
    .collect();
    Snapshot { learners, progress }
}

fn screen(d: &Dashboard, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(100, 16)).expect("terminal");
    terminal.draw(|f| draw(f, d, theme)).expect("draw");
    terminal
}

#[test]
fn the_room_needs_help_first_in_red_and_details_show_the_last_output() {
    let mut d = Dashboard::new("redis-101", Some("ana"), NOW);
    d.update(DashAction::Snapshot(room()));
    let plain = screen(&d, &Theme::plain());
    let text = rows(&plain).join("\n");
    insta::assert_snapshot!("dashboard_room", text);
    assert!(
        !text.contains('\u{1b}'),
        "a name's control bytes reached the screen"
    );

    // The stuck learner's row is red, the selected one highlighted.
    let theme = Theme::truecolor();
    let coloured = screen(&d, &theme);
    let buffer = coloured.backend().buffer();
    let line = |y: u16| {
        (0..100)
            .map(|x| buffer[(x, y)].symbol())
            .collect::<String>()
    };
    let bo = (0..16)
        .find(|&y| line(y).contains("STUCK"))
        .expect("bo's row");
    assert!(line(bo).contains("bo"), "{}", line(bo));
    let bad = theme.bad().fg.expect("the bad style has a colour");
    assert_eq!(buffer[(4, bo)].fg, bad, "the stuck row is not red");
    let ana = (0..16)
        .find(|&y| line(y).contains("ana"))
        .expect("ana's row");
    assert_ne!(buffer[(4, ana)].fg, bad, "a learner doing fine is red");

    d.update(DashAction::ToggleDetail);
    let detail = rows(&screen(&d, &Theme::plain())).join("\n");
    insta::assert_snapshot!("dashboard_detail", detail);
    assert!(detail.contains("ImagePullBackOff") && detail.contains("error: timed out"));
}
