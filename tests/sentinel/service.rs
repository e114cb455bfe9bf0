//! Service mode without a cluster: a scripted API server (tower-test) that knows no such
//! service. The pane must say so and keep retrying, and the monitor must still end on drop.

use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;
use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{MonitorConfig, Seed, SentinelUpdate, spawn_monitor};

fn api_without_services() -> kube::Client {
    let (svc, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(async move {
        let mut handle = Box::pin(handle);
        while let Some((_, send)) = handle.next_request().await {
            let body = r#"{"apiVersion":"v1","kind":"Status","status":"Failure",
                "reason":"NotFound","code":404,"message":"not found"}"#;
            let resp = Response::builder()
                .status(404)
                .body(Body::from(body.as_bytes().to_vec()));
            send.send_response(resp.expect("response"));
        }
    });
    kube::Client::new(svc, "lesson")
}

#[tokio::test]
async fn missing_service_is_reported_with_backoff_and_the_monitor_still_ends() {
    let config = MonitorConfig {
        seed: Seed::Service {
            client: api_without_services(),
            namespace: "lesson".into(),
            service: "redis-sentinel".into(),
            port: 26379,
        },
        master: "mymaster".into(),
        password: None,
        refresh: Duration::from_secs(2),
        wake: Default::default(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let task = spawn_monitor(config, tx);
    let mut attempts = vec![];
    while attempts.len() < 2 {
        let u = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        let Ok(Some(SentinelUpdate::Link { endpoint, state })) = u else {
            panic!("{u:?}")
        };
        assert_eq!(endpoint, "svc/redis-sentinel:26379");
        let LinkState::Unreachable { attempt, error, .. } = state else {
            panic!("{state:?}")
        };
        assert!(error.contains("redis-sentinel not found"), "{error}");
        attempts.push(attempt);
    }
    assert_eq!(attempts, [1, 2]);
    drop(rx);
    let ended = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(ended.is_ok_and(|r| r.is_ok()), "monitor did not end");
}
