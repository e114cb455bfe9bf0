//! The pod watch task against a scripted API server: list, watch, 410, 401, 403, unreachable.

use std::time::{Duration, SystemTime};

use kubetutor::app::pods_view::{Change, PodsView};
use kubetutor::kube::model::{Connection, PodsUpdate};
use kubetutor::kube::pods::{Retry, watch_pods};
use tokio::sync::mpsc;

use super::mock::{NS, Reply, fixture, server};

const FAST: Retry = Retry {
    first: Duration::from_millis(5),
    max: Duration::from_millis(20),
    list_timeout: Duration::from_millis(300),
};
const LIST: &str = "GET /api/v1/namespaces/kubetutor-redis/pods?";
const WATCH: &str = "&watch=true";

struct Run {
    rx: mpsc::Receiver<PodsUpdate>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    seen: super::mock::Seen,
}

impl Run {
    fn start(selector: Option<&str>, script: Vec<(&'static str, Reply)>) -> Self {
        let (client, seen, server) = server(script);
        let (tx, rx) = mpsc::channel(64);
        let watch = tokio::spawn(watch_pods(
            client,
            NS.into(),
            selector.map(String::from),
            tx,
            FAST,
        ));
        Self {
            rx,
            tasks: vec![server, watch],
            seen,
        }
    }

    async fn next(&mut self) -> PodsUpdate {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("an update within 5s")
            .expect("watch task alive")
    }

    async fn expect_connection(&mut self) -> Connection {
        match self.next().await {
            PodsUpdate::Connection(c) => c,
            other => panic!("expected a connection state, got {other:?}"),
        }
    }

    async fn expect_listed(&mut self) -> Vec<String> {
        match self.next().await {
            PodsUpdate::Listed(rows) => rows.into_iter().map(|r| r.name).collect(),
            other => panic!("expected a list, got {other:?}"),
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.tasks.iter().for_each(|t| t.abort());
    }
}

fn ok(name: &str) -> Reply {
    Reply::Json(200, fixture(name))
}

#[tokio::test]
async fn list_then_watch_events_become_rows_with_highlights() {
    let mut run = Run::start(
        Some("app in (redis, redis-sentinel)"),
        vec![
            (LIST, ok("podlist.json")),
            (WATCH, ok("watch-changes.jsonl")),
        ],
    );
    let t0 = SystemTime::now();
    let mut view = PodsView::new();
    assert_eq!(run.expect_connection().await, Connection::Connecting);
    let first = run.next().await;
    assert!(
        matches!(&first, PodsUpdate::Listed(rows) if rows.len() == 3),
        "{first:?}"
    );
    view.apply(first, t0);
    assert_eq!(view.connection(), &Connection::Live);
    assert!(
        view.entries().all(|e| e.change(t0).is_none()),
        "the first list is not news"
    );

    let mut updates = Vec::new();
    for _ in 0..4 {
        updates.push(run.next().await);
    }
    let kinds: Vec<String> = updates
        .iter()
        .map(|u| match u {
            PodsUpdate::Applied(r) => format!("applied {} {}", r.name, r.status),
            PodsUpdate::Deleted(n) => format!("deleted {n}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "applied redis-2tm9c Running",
            "applied redis-k8x2w Pending",
            "applied redis-master Terminating",
            "deleted redis-master",
        ]
    );
    for u in updates {
        view.apply(u, t0);
    }
    assert_marks_after_the_changes(&view, t0);

    let seen = run.seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(
        seen[0].contains("labelSelector=app+in+%28redis%2C+redis-sentinel%29")
            || seen[0].contains("labelSelector=app%20in%20%28redis%2C%20redis-sentinel%29"),
        "{seen:?}"
    );
    assert!(
        seen[1].contains("resourceVersion=1010"),
        "watch resumes from the list: {seen:?}"
    );
}

#[tokio::test]
async fn gone_410_relists_and_marks_the_vanished_pod() {
    let mut run = Run::start(
        None,
        vec![
            (LIST, ok("podlist.json")),
            (WATCH, ok("watch-gone.jsonl")),
            (LIST, ok("podlist-relist.json")),
        ],
    );
    let t0 = SystemTime::now();
    let mut view = PodsView::new();
    for _ in 0..2 {
        let u = run.next().await;
        view.apply(u, t0);
    }
    assert_eq!(view.len(), 3);
    let relisting = run.expect_connection().await;
    assert_eq!(relisting, Connection::Relisting);
    assert!(
        relisting.line().contains("410 Gone"),
        "{}",
        relisting.line()
    );
    view.apply(PodsUpdate::Connection(relisting), t0);
    assert!(view.connection().is_degraded());
    let relist = run.next().await;
    view.apply(relist, t0);
    assert_eq!(view.connection(), &Connection::Live);
    assert_marks_after_the_changes(&view, t0);
    let seen = run.seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(
        seen[2].starts_with(LIST) && !seen[2].contains("watch=true"),
        "re-list: {seen:?}"
    );
}

#[tokio::test]
async fn forbidden_names_the_verb_and_namespace_then_recovers() {
    let mut run = Run::start(
        None,
        vec![
            (LIST, Reply::Json(403, fixture("status-403.json"))),
            (LIST, Reply::Json(403, fixture("status-403.json"))),
            (LIST, ok("podlist.json")),
            (WATCH, Reply::Json(403, fixture("status-403.json"))),
        ],
    );
    assert_eq!(run.expect_connection().await, Connection::Connecting);
    let c = run.expect_connection().await;
    assert_eq!(
        c,
        Connection::Forbidden {
            verb: "list",
            namespace: NS.into(),
            attempt: 1,
            retry_in: FAST.first,
        }
    );
    assert!(
        c.line()
            .contains("permission to list pods in namespace kubetutor-redis"),
        "{}",
        c.line()
    );
    assert_eq!(
        run.expect_connection().await,
        Connection::Reconnecting { attempt: 2 }
    );
    let c = run.expect_connection().await;
    assert!(
        matches!(c, Connection::Forbidden { attempt: 2, retry_in, .. } if retry_in == FAST.first * 2)
    );
    assert_eq!(
        run.expect_connection().await,
        Connection::Reconnecting { attempt: 3 }
    );
    assert_eq!(run.expect_listed().await.len(), 3);
    let c = run.expect_connection().await;
    assert!(
        matches!(
            c,
            Connection::Forbidden {
                verb: "watch",
                attempt: 1,
                ..
            }
        ),
        "attempts reset after a list: {c:?}"
    );
}

#[tokio::test]
async fn unauthorized_and_server_errors_are_retried() {
    let status_500 = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}"#;
    let mut run = Run::start(
        None,
        vec![
            (LIST, Reply::Json(401, fixture("status-401.json"))),
            (LIST, Reply::Json(500, status_500.into())),
            (LIST, ok("podlist.json")),
        ],
    );
    assert_eq!(run.expect_connection().await, Connection::Connecting);
    let c = run.expect_connection().await;
    assert!(
        matches!(c, Connection::Unauthorized { attempt: 1, .. }),
        "{c:?}"
    );
    assert!(c.line().starts_with("401 Unauthorized"));
    assert_eq!(
        run.expect_connection().await,
        Connection::Reconnecting { attempt: 2 }
    );
    let c = run.expect_connection().await;
    assert!(
        c.line().contains("500: etcdserver: request timed out"),
        "{}",
        c.line()
    );
    assert_eq!(
        run.expect_connection().await,
        Connection::Reconnecting { attempt: 3 }
    );
    assert_eq!(run.expect_listed().await.len(), 3);
}

#[tokio::test]
async fn unreachable_api_backs_off_exponentially_showing_the_attempt() {
    let mut run = Run::start(
        None,
        vec![
            (LIST, Reply::Refused),
            (LIST, Reply::Refused),
            (LIST, Reply::Refused),
            (LIST, ok("podlist.json")),
        ],
    );
    let mut delays = Vec::new();
    for attempt in 1..=3 {
        let expected = match attempt {
            1 => Connection::Connecting,
            n => Connection::Reconnecting { attempt: n },
        };
        assert_eq!(run.expect_connection().await, expected);
        match run.expect_connection().await {
            Connection::Unreachable {
                attempt: a,
                retry_in,
                error,
            } => {
                assert_eq!(a, attempt);
                assert!(error.contains("refused"), "{error}");
                delays.push(retry_in);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, [FAST.first, FAST.first * 2, FAST.first * 4]);
    let c = run.expect_connection().await;
    assert_eq!(c, Connection::Reconnecting { attempt: 4 });
    assert_eq!(c.line(), "reconnecting (attempt 4)...");
    assert_eq!(run.expect_listed().await.len(), 3);
    let line = Connection::Unreachable {
        attempt: 3,
        retry_in: Duration::from_millis(1500),
        error: "Connection refused".into(),
    }
    .line();
    assert_eq!(
        line,
        "API unreachable (attempt 3, retrying in 2s): Connection refused"
    );
}

/// A server that takes the request and never answers: reported after the list timeout.
#[tokio::test]
async fn a_list_that_never_answers_counts_as_unreachable() {
    let mut run = Run::start(None, vec![]);
    assert_eq!(run.expect_connection().await, Connection::Connecting);
    let c = run.expect_connection().await;
    assert_eq!(
        c,
        Connection::Unreachable {
            attempt: 1,
            retry_in: FAST.first,
            error: "no answer within 300ms".into(),
        }
    );
    assert_eq!(
        run.expect_connection().await,
        Connection::Reconnecting { attempt: 2 }
    );
}

#[tokio::test]
async fn the_task_ends_when_the_view_goes_away() {
    let (client, _seen, server) = server(vec![(LIST, ok("podlist.json"))]);
    let (tx, rx) = mpsc::channel(1);
    let watch = tokio::spawn(watch_pods(client, NS.into(), None, tx, FAST));
    drop(rx);
    tokio::time::timeout(Duration::from_secs(5), watch)
        .await
        .expect("task ends")
        .expect("no panic");
    server.abort();
}

/// The view after the recorded changes: one pod changed, one added, the bootstrap pod deleted
/// (still shown, marked), the sentinel untouched; reached by watch events or by a re-list.
fn assert_marks_after_the_changes(view: &PodsView, t0: SystemTime) {
    let marks: Vec<(String, Option<Change>)> = view
        .entries()
        .map(|e| (e.row.name.clone(), e.change(t0)))
        .collect();
    assert_eq!(
        marks,
        [
            ("redis-2tm9c".to_string(), Some(Change::Changed)),
            ("redis-k8x2w".to_string(), Some(Change::Added)),
            ("redis-master".to_string(), Some(Change::Deleted)),
            ("redis-sentinel-7xk2p".to_string(), None),
        ]
    );
}
