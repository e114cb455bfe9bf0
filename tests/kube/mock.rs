//! A scripted API server behind `kube::Client`, built on `tower_test::mock::pair`.

use std::sync::{Arc, Mutex};

use http::{Request, Response, StatusCode};
use kube::client::Body;

pub const NS: &str = "kubetutor-redis";

/// A fixture file under tests/fixtures/kube.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/kube/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One scripted answer.
pub enum Reply {
    /// Status code and body.
    Json(u16, String),
    /// The connection fails (as when nothing listens).
    Refused,
}

/// Requests the server saw: method and URI (path and query).
pub type Seen = Arc<Mutex<Vec<String>>>;

/// Answers requests in order; each reply is checked against a substring of the request line.
/// After the script, requests are held unanswered (an idle watch) until the test ends.
pub fn server(
    script: Vec<(&'static str, Reply)>,
) -> (kube::Client, Seen, tokio::task::JoinHandle<()>) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let task = tokio::spawn(async move {
        let mut handle = Box::pin(handle);
        let mut held = Vec::new();
        let mut script = script.into_iter();
        while let Some((request, send)) = handle.next_request().await {
            let line = format!("{} {}", request.method(), request.uri());
            log.lock().map(|mut l| l.push(line.clone())).ok();
            match script.next() {
                Some((expect, reply)) => {
                    assert!(
                        line.contains(expect),
                        "request {line:?} does not contain {expect:?}"
                    );
                    match reply {
                        Reply::Json(code, body) => {
                            let status = StatusCode::from_u16(code).expect("status code");
                            let response = Response::builder()
                                .status(status)
                                .header("content-type", "application/json")
                                .body(Body::from(body.into_bytes()))
                                .expect("response");
                            send.send_response(response);
                        }
                        Reply::Refused => send.send_error(std::io::Error::new(
                            std::io::ErrorKind::ConnectionRefused,
                            "Connection refused (os error 111)",
                        )),
                    }
                }
                None => held.push(send),
            }
        }
    });
    (kube::Client::new(service, NS), seen, task)
}

/// Answers every request with `handler(method, uri, body)`, for concurrent clients whose
/// request order is not fixed.
pub fn router<F>(handler: F) -> (kube::Client, tokio::task::JoinHandle<()>)
where
    F: Fn(&str, &str, &[u8]) -> Reply + Send + 'static,
{
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let task = tokio::spawn(async move {
        let mut handle = Box::pin(handle);
        while let Some((request, send)) = handle.next_request().await {
            let (method, uri) = (request.method().to_string(), request.uri().to_string());
            let body = request
                .into_body()
                .collect_bytes()
                .await
                .unwrap_or_default();
            match handler(&method, &uri, &body) {
                Reply::Json(code, body) => send.send_response(
                    Response::builder()
                        .status(StatusCode::from_u16(code).expect("status code"))
                        .header("content-type", "application/json")
                        .body(Body::from(body.into_bytes()))
                        .expect("response"),
                ),
                Reply::Refused => send.send_error(std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    "Connection refused (os error 111)",
                )),
            }
        }
    });
    (kube::Client::new(service, NS), task)
}
