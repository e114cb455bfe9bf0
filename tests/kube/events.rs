//! The Events watch (issue 19) against a scripted API server: listed Events are history, only
//! Events after the list become effects.

use std::time::Duration;

use kubetutor::effects::ObservedKind;
use kubetutor::kube::events::watch_events;
use tokio::sync::mpsc;

use super::mock::{NS, Reply, fixture, server};

const LIST: &str = "GET /apis/events.k8s.io/v1/namespaces/kubetutor-redis/events?";

#[tokio::test]
async fn events_after_the_list_become_effects_on_their_objects() {
    let (client, seen, server) = server(vec![
        (LIST, Reply::Json(200, fixture("eventlist.json"))),
        (
            "watch=true",
            Reply::Json(200, fixture("watch-events.jsonl")),
        ),
    ]);
    let (tx, mut rx) = mpsc::channel(16);
    let watch = tokio::spawn(watch_events(client, NS.into(), tx));
    let mut got = Vec::new();
    for _ in 0..2 {
        let next = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        got.push(next.expect("an effect within 5s").expect("watch alive"));
    }
    let reasons: Vec<String> = got
        .iter()
        .map(|o| match &o.kind {
            ObservedKind::KubeEvent { reason, .. } => format!("{reason} {}", o.object),
            other => panic!("not an Event: {other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        ["Scheduled pod/redis-7xk2p", "Started pod/redis-7xk2p"]
    );
    assert!(got[1].describe().contains("Started container redis"));
    // The listed Killing of redis-old never arrives.
    let more = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await;
    assert!(more.is_err(), "unexpected effect: {more:?}");
    let seen = seen.lock().unwrap().clone();
    assert!(seen[1].contains("resourceVersion=2000"), "{seen:?}");
    watch.abort();
    server.abort();
}
