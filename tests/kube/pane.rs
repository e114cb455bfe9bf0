//! Snapshots of the pods pane in every connection state, at the widths it lives in.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Pod;
use kubetutor::app::pods_view::PodsView;
use kubetutor::kube::model::{Connection, PodRow, PodsUpdate};
use kubetutor::kube::safety::SafetyEnv;
use kubetutor::kube::session::ClusterSession;
use kubetutor::sentinel::Role;
use kubetutor::tui::pods_pane::PodsPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::mock::fixture;

/// 2026-11-25T20:10:00Z, ten minutes after the fixture pods were created.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_637_400)
}

fn rows(file: &str) -> Vec<PodRow> {
    let list: k8s_openapi::List<Pod> = serde_json::from_str(&fixture(file)).expect("fixture");
    list.items
        .iter()
        .map(|p| PodRow::from_pod(p, now()))
        .collect()
}

fn watch_rows() -> Vec<PodsUpdate> {
    fixture("watch-changes.jsonl")
        .lines()
        .map(|l| {
            let ev: serde_json::Value = serde_json::from_str(l).expect("event");
            let pod: Pod = serde_json::from_value(ev["object"].clone()).expect("pod");
            match ev["type"].as_str() {
                Some("DELETED") => PodsUpdate::Deleted(pod.metadata.name.unwrap_or_default()),
                _ => PodsUpdate::Applied(PodRow::from_pod(&pod, now())),
            }
        })
        .collect()
}

fn live() -> PodsView {
    let mut view = PodsView::new();
    view.apply(
        PodsUpdate::Listed(rows("podlist.json")),
        now() - Duration::from_secs(60),
    );
    view
}

fn with_roles(mut view: PodsView) -> PodsView {
    let roles = HashMap::from([
        ("10.244.0.5".to_string(), Role::Master),
        ("10.244.0.6".to_string(), Role::Sentinel),
    ]);
    view.set_roles(roles, now() - Duration::from_secs(60));
    view
}

fn draw(view: &PodsView, width: u16, height: u16, scroll: usize) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| {
            let pane = PodsPane::new(view, now())
                .theme(Theme::plain())
                .scroll(scroll);
            f.render_widget(pane.scope("kubetutor-redis"), f.area());
        })
        .expect("draw");
    terminal
}

fn state(c: Connection) -> PodsView {
    let mut view = PodsView::new();
    view.apply(PodsUpdate::Connection(c), now());
    view
}

#[test]
fn connecting() {
    insta::assert_snapshot!(draw(&PodsView::new(), 60, 5, 0).backend());
}

#[test]
fn live_wide_with_roles() {
    insta::assert_snapshot!(draw(&with_roles(live()), 70, 6, 0).backend());
}

#[test]
fn live_at_50_columns_keeps_name_status_role() {
    insta::assert_snapshot!(draw(&with_roles(live()), 50, 6, 0).backend());
}

#[test]
fn live_at_36_columns_drops_age_and_restarts_too() {
    insta::assert_snapshot!(draw(&live(), 36, 6, 0).backend());
}

#[test]
fn highlights_added_changed_deleted() {
    let mut view = live();
    for u in watch_rows() {
        view.apply(u, now());
    }
    let terminal = draw(&view, 70, 7, 0);
    insta::assert_snapshot!(terminal.backend());
    // The deleted pod is struck through, not just marked.
    let buf = terminal.backend().buffer();
    let y = (0..7).find(|y| buf[(1, *y)].symbol() == "r" && buf[(0, *y)].symbol() == "x");
    let y = y.expect("a deleted row");
    assert!(buf[(1, y)].modifier.contains(Modifier::CROSSED_OUT));
}

#[test]
fn empty_namespace() {
    let mut view = PodsView::new();
    view.apply(PodsUpdate::Listed(Vec::new()), now());
    insta::assert_snapshot!(draw(&view, 60, 4, 0).backend());
}

#[test]
fn no_kubeconfig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = SafetyEnv {
        kubeconfig_paths: vec![PathBuf::from("/nonexistent/.kube/config")],
        protected: vec![],
        private_dir: dir.path().into(),
    };
    let session = ClusterSession::start(env, Default::default(), None).expect("start");
    let err = session.prepare().expect_err("no kubeconfig");
    insta::assert_snapshot!(draw(&state((&err).into()), 60, 6, 0).backend());
}

#[test]
fn context_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = SafetyEnv {
        kubeconfig_paths: vec![
            format!(
                "{}/tests/fixtures/kube/kubeconfig.yaml",
                env!("CARGO_MANIFEST_DIR")
            )
            .into(),
        ],
        protected: vec![],
        private_dir: dir.path().into(),
    };
    let args = kubetutor::cli::LessonArgs {
        context: Some("kind-old".into()),
        ..Default::default()
    };
    let session = ClusterSession::start(env, args.target_request(), None).expect("start");
    let err = session.prepare().expect_err("missing context");
    insta::assert_snapshot!(draw(&state((&err).into()), 60, 6, 0).backend());
}

#[test]
fn unreachable_keeps_stale_rows() {
    let mut view = live();
    let c = Connection::Unreachable {
        attempt: 4,
        retry_in: Duration::from_secs(4),
        error: "Connection refused (os error 111)".into(),
    };
    view.apply(PodsUpdate::Connection(c), now());
    insta::assert_snapshot!(draw(&view, 70, 6, 0).backend());
}

#[test]
fn reconnecting_keeps_stale_rows_dimmed() {
    let mut view = live();
    view.apply(
        PodsUpdate::Connection(Connection::Reconnecting { attempt: 5 }),
        now(),
    );
    insta::assert_snapshot!(draw(&view, 60, 5, 0).backend());
}

#[test]
fn forbidden() {
    let c = Connection::Forbidden {
        verb: "list",
        namespace: "kubetutor-redis".into(),
        attempt: 2,
        retry_in: Duration::from_secs(1),
    };
    insta::assert_snapshot!(draw(&state(c), 60, 5, 0).backend());
}

#[test]
fn unauthorized() {
    let c = Connection::Unauthorized {
        attempt: 1,
        retry_in: Duration::from_millis(500),
    };
    insta::assert_snapshot!(draw(&state(c), 60, 5, 0).backend());
}

#[test]
fn relisting_after_410() {
    let mut view = live();
    view.apply(PodsUpdate::Connection(Connection::Relisting), now());
    insta::assert_snapshot!(draw(&view, 60, 6, 0).backend());
}

#[test]
fn overflow_scrolls_and_clamps() {
    let mut view = PodsView::new();
    let template = rows("podlist.json").remove(0);
    let many = (0..30)
        .map(|i| PodRow {
            name: format!("web-{i:02}"),
            ..template.clone()
        })
        .collect();
    view.apply(PodsUpdate::Listed(many), now());
    insta::assert_snapshot!("overflow_middle", draw(&view, 60, 8, 10).backend());
    // Past the end: the last page stays full.
    insta::assert_snapshot!("overflow_end", draw(&view, 60, 8, 999).backend());
    assert_eq!(PodsPane::rows_visible(8), 6);
}

#[test]
fn tiny_areas_do_not_panic() {
    let view = with_roles(live());
    for (w, h) in [(1, 1), (5, 1), (5, 2), (12, 3), (0, 0)] {
        let mut terminal = Terminal::new(TestBackend::new(w.max(1), h.max(1))).expect("terminal");
        terminal
            .draw(|f| {
                let area = ratatui::layout::Rect::new(0, 0, w, h);
                f.render_widget(PodsPane::new(&view, now()), area);
            })
            .expect("draw");
    }
}

/// At 160 terminal columns the pods pane is about 62 wide: a long STATUS is shortened before
/// a pod name is cut or the IP goes.
#[test]
fn a_long_status_is_shortened_before_names_are_cut() {
    let view = with_roles(live());
    let term = draw(&view, 62, 6, 0);
    let screen = format!("{:?}", term.backend());
    for name in ["redis-2tm9c", "redis-master", "redis-sentinel-7xk2p"] {
        assert!(screen.contains(name), "{name} is whole:\n{screen}");
    }
    assert!(
        screen.contains("10.244.0.6") && screen.contains("ContainerCr…"),
        "{screen}"
    );
}

/// Issue 18 item 1: in a narrow pane the empty message wraps, so the watched scope is whole.
#[test]
fn empty_namespace_narrow_keeps_the_scope_whole() {
    let mut view = PodsView::new();
    view.apply(PodsUpdate::Listed(Vec::new()), now());
    let terminal = draw(&view, 20, 4, 0);
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("(kubetutor-redis)"), "{flat}");
    insta::assert_snapshot!(terminal.backend());
}
