//! The pod watch task: a kube-rs `watcher` on the lesson namespace and selector, turned into
//! [`PodsUpdate`]s for [`PodsView`](super::view::PodsView).
//!
//! # Use (TUI)
//! ```ignore
//! let (tx, mut rx) = tokio::sync::mpsc::channel(256);
//! let task = kube::pods::spawn_pod_watch_for(target.clone(), selector, tx); // or spawn_pod_watch(client, ns, ..)
//! let mut view = kube::view::PodsView::new();
//! // in the loop:   Some(u) = rx.recv() => dirty |= view.apply(u, SystemTime::now()),
//! // on a timer:    view.expire(now) at view.next_deadline(); view.set_roles(sentinel.roles(), now)
//! // draw:          tui::pods_pane::PodsPane::new(&view, now).scroll(offset)
//! // on exit:       task.abort()
//! ```
//! If `safety::prepare` failed, show why without a task:
//! `view.apply(PodsUpdate::Connection((&err).into()), now)`.
//!
//! # Behaviour
//! Sends `Connection(Connecting)`, then `Listed(rows)` once the first list is complete (the view
//! then shows `Live`), then `Applied`/`Deleted` per watch event. A 410 Gone (expired watch) is
//! reported as `Relisting` and the watcher lists again at once. Any other failure (API
//! unreachable, 401, 403 naming the verb, 5xx) is reported with its attempt number and delay;
//! after the delay the watch restarts with a fresh list, so the pane says `Live` again only
//! once it really is, and pods that vanished meanwhile are shown as deleted. The task ends when
//! the receiver is dropped.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use super::model::{Connection, PodRow, PodsUpdate};
use super::safety::ClusterTarget;

/// Exponential reconnect delays: `first`, doubled per failed attempt, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The delay after failed attempt `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// Watches pods in `namespace` (optionally filtered by a label `selector`) with `client`.
pub fn spawn_pod_watch(
    client: kube::Client,
    namespace: String,
    selector: Option<String>,
    tx: Sender<PodsUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(watch_pods(
        client,
        namespace,
        selector,
        tx,
        Backoff::default(),
    ))
}

/// Builds the client from the target's private kubeconfig, then watches its namespace.
pub fn spawn_pod_watch_for(
    target: ClusterTarget,
    selector: Option<String>,
    tx: Sender<PodsUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        match target.client().await {
            Ok(client) => {
                watch_pods(client, target.namespace, selector, tx, Backoff::default()).await;
            }
            Err(err) => {
                let _ = tx.send(PodsUpdate::Connection((&err).into())).await;
            }
        }
    })
}

/// The watch loop; returns when `tx` is closed.
pub async fn watch_pods(
    client: kube::Client,
    namespace: String,
    selector: Option<String>,
    tx: Sender<PodsUpdate>,
    backoff: Backoff,
) {
    let api: Api<Pod> = Api::namespaced(client, &namespace);
    let mut config = watcher::Config::default();
    if let Some(selector) = selector.as_deref().filter(|s| !s.trim().is_empty()) {
        config = config.labels(selector);
    }
    let mut failures = 0u32;
    'restart: loop {
        if tx
            .send(PodsUpdate::Connection(Connection::Connecting))
            .await
            .is_err()
        {
            return;
        }
        let mut stream = watcher::watcher(api.clone(), config.clone()).boxed();
        let mut listing: Vec<PodRow> = Vec::new();
        while let Some(item) = stream.next().await {
            let update = match item {
                Ok(event) => match fold(event, &mut listing) {
                    Some(update) => {
                        failures = 0;
                        update
                    }
                    None => continue,
                },
                Err(err) => match classify(&err, &namespace) {
                    Failure::Gone => PodsUpdate::Connection(Connection::Relisting),
                    Failure::Retry(make) => {
                        failures += 1;
                        let delay = backoff.delay(failures);
                        tracing::debug!(%err, attempt = failures, ?delay, "pod watch failed");
                        if tx
                            .send(PodsUpdate::Connection(make(failures, delay)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        tokio::time::sleep(delay).await;
                        continue 'restart;
                    }
                },
            };
            if tx.send(update).await.is_err() {
                return;
            }
        }
        // The watcher stream does not end on its own; if it ever does, start over.
        tokio::time::sleep(backoff.first).await;
    }
}

/// Turns a watcher event into an update; list pages are buffered until the list is complete.
fn fold(event: Event<Pod>, listing: &mut Vec<PodRow>) -> Option<PodsUpdate> {
    let now = SystemTime::now();
    match event {
        Event::Init => {
            listing.clear();
            None
        }
        Event::InitApply(pod) => {
            listing.push(PodRow::from_pod(&pod, now));
            None
        }
        Event::InitDone => Some(PodsUpdate::Listed(std::mem::take(listing))),
        Event::Apply(pod) => Some(PodsUpdate::Applied(PodRow::from_pod(&pod, now))),
        Event::Delete(pod) => Some(PodsUpdate::Deleted(pod.metadata.name.unwrap_or_default())),
    }
}

type MakeConnection = Box<dyn Fn(u32, Duration) -> Connection + Send>;

enum Failure {
    /// 410: the watcher re-lists by itself on the next poll.
    Gone,
    Retry(MakeConnection),
}

fn classify(err: &watcher::Error, namespace: &str) -> Failure {
    let (verb, source) = match err {
        watcher::Error::InitialListFailed(e) => ("list", Some(e)),
        watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e) => ("watch", Some(e)),
        watcher::Error::WatchError(status) => {
            return api_failure(status.code, verb_error(status), "watch", namespace);
        }
        watcher::Error::NoResourceVersion => ("list", None),
    };
    match source {
        Some(kube::Error::Api(status)) => {
            api_failure(status.code, verb_error(status), verb, namespace)
        }
        Some(other) => {
            let error = super::root_cause(other);
            Failure::Retry(Box::new(move |attempt, retry_in| Connection::Unreachable {
                attempt,
                retry_in,
                error: error.clone(),
            }))
        }
        None => {
            let error = err.to_string();
            Failure::Retry(Box::new(move |attempt, retry_in| Connection::Failed {
                attempt,
                retry_in,
                error: error.clone(),
            }))
        }
    }
}

fn verb_error(status: &kube::core::Status) -> String {
    if status.message.is_empty() {
        status.reason.clone()
    } else {
        status.message.clone()
    }
}

fn api_failure(code: u16, error: String, verb: &'static str, namespace: &str) -> Failure {
    let namespace = namespace.to_string();
    match code {
        410 => Failure::Gone,
        401 => Failure::Retry(Box::new(|attempt, retry_in| Connection::Unauthorized {
            attempt,
            retry_in,
        })),
        403 => Failure::Retry(Box::new(move |attempt, retry_in| Connection::Forbidden {
            verb,
            namespace: namespace.clone(),
            attempt,
            retry_in,
        })),
        _ => Failure::Retry(Box::new(move |attempt, retry_in| Connection::Failed {
            attempt,
            retry_in,
            error: format!("{code}: {error}"),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff::default();
        let got: Vec<u64> = (1..=9).map(|a| b.delay(a).as_millis() as u64).collect();
        assert_eq!(
            got,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(b.delay(u32::MAX), b.max);
    }
}
