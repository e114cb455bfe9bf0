//! Service mode without a cluster: a scripted API server (tower-test). The pane waits for the
//! service's EndpointSlices (watched, not polled), says why it waits, starts the forward the
//! moment a ready endpoint appears, and the monitor still ends on drop.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{Request, Response};
use kube::client::Body;
use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{MonitorConfig, Seed, SentinelUpdate, spawn_monitor};

const SLICE: &str = r#"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
  "metadata":{"name":"redis-sentinel-abcde","namespace":"lesson","resourceVersion":"2",
    "labels":{"kubernetes.io/service-name":"redis-sentinel"}},
  "addressType":"IPv4","endpoints":[{"addresses":["10.244.0.3"],"conditions":{"ready":true}}]}"#;

fn json(code: u16, body: String) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Body::from(body.into_bytes()))
        .expect("response")
}

fn empty_slices() -> String {
    r#"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSliceList","metadata":{"resourceVersion":"1"},"items":[]}"#.into()
}

/// Times the mock saw: the slice event sent, the forward's first service lookup.
#[derive(Default)]
struct Seen {
    slice_sent: Option<Instant>,
    service_asked: Option<Instant>,
}

/// An API server where the service's slice appears `after` the watch starts (never: None).
fn api(after: Option<Duration>, seen: Arc<Mutex<Seen>>) -> kube::Client {
    let (svc, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(async move {
        let mut handle = Box::pin(handle);
        let mut held = Vec::new();
        while let Some((req, send)) = handle.next_request().await {
            let uri = req.uri().to_string();
            if uri.contains("endpointslices") && !uri.contains("watch=true") {
                send.send_response(json(200, empty_slices()));
            } else if uri.contains("endpointslices") {
                match after {
                    Some(after) => {
                        let seen = seen.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(after).await;
                            let event = format!(
                                "{{\"type\":\"ADDED\",\"object\":{}}}\n",
                                SLICE.replace('\n', "")
                            );
                            seen.lock().expect("lock").slice_sent = Some(Instant::now());
                            send.send_response(json(200, event));
                        });
                    }
                    None => held.push(send),
                }
            } else {
                if uri.contains("/services/redis-sentinel") {
                    let mut s = seen.lock().expect("lock");
                    s.service_asked.get_or_insert_with(Instant::now);
                }
                let body = r#"{"apiVersion":"v1","kind":"Status","status":"Failure",
                    "reason":"NotFound","code":404,"message":"not found"}"#;
                send.send_response(json(404, body.into()));
            }
        }
    });
    kube::Client::new(svc, "lesson")
}

fn config(client: kube::Client) -> MonitorConfig {
    MonitorConfig {
        seed: Seed::Service {
            client,
            namespace: "lesson".into(),
            service: "redis-sentinel".into(),
            port: 26379,
            pods_directly: true,
        },
        master: "mymaster".into(),
        password: None,
        refresh: Duration::from_secs(2),
        wake: Default::default(),
    }
}

async fn next(rx: &mut tokio::sync::mpsc::Receiver<SentinelUpdate>) -> SentinelUpdate {
    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        Ok(Some(u)) => u,
        other => panic!("no update: {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_service_is_waited_for_and_the_monitor_still_ends() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let task = spawn_monitor(config(api(None, seen.clone())), tx);
    let first = next(&mut rx).await;
    assert_eq!(
        first,
        SentinelUpdate::Link {
            endpoint: "svc/redis-sentinel:26379".into(),
            state: LinkState::Connecting { attempt: 1 },
        }
    );
    assert_eq!(
        next(&mut rx).await,
        SentinelUpdate::Notice(Some("service redis-sentinel: not created yet".into()))
    );
    // Watched, not polled: no retries, and no forward is attempted.
    let quiet = tokio::time::timeout(Duration::from_millis(600), rx.recv()).await;
    assert!(quiet.is_err(), "{quiet:?}");
    assert!(seen.lock().expect("lock").service_asked.is_none());
    drop(rx);
    let ended = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(ended.is_ok_and(|r| r.is_ok()), "monitor did not end");
}

#[tokio::test]
async fn the_forward_starts_as_soon_as_the_service_has_a_ready_endpoint() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let _task = spawn_monitor(
        config(api(Some(Duration::from_millis(300)), seen.clone())),
        tx,
    );
    loop {
        if let SentinelUpdate::Notice(None)
        | SentinelUpdate::Link {
            state: LinkState::Unreachable { .. },
            ..
        } = next(&mut rx).await
        {
            break;
        }
    }
    let s = seen.lock().expect("lock");
    let (sent, asked) = (
        s.slice_sent.expect("slice sent"),
        s.service_asked.expect("asked"),
    );
    let delay = asked.duration_since(sent);
    eprintln!("forward started {delay:?} after the endpoint became ready");
    assert!(
        delay < Duration::from_secs(1),
        "{delay:?}: no backoff between"
    );
}
