//! The pod watch task: a kube-rs `watcher` on the lesson namespace and selector, turned into
//! [`PodsUpdate`]s, which the front-end's `PodsView` (in the app) folds for the pods pane.
//!
//! # Use (TUI)
//! ```ignore
//! let (tx, rx) = tokio::sync::mpsc::channel(256);
//! kube::pods::spawn_pod_watch_for(target.clone(), selector, tx); // or spawn_pod_watch(client, ns, ..)
//! // the loop forwards rx into its channel; App::update applies each update to its PodsView;
//! // the task ends by itself when the receiver is dropped (the lesson closes).
//! ```
//! If `safety::prepare` failed, show why without a task:
//! `view.apply(PodsUpdate::Connection((&err).into()), now)`.
//!
//! # Behaviour
//! Sends `Connection(Connecting)`, then `Listed(rows)` once the first list is complete (the view
//! then shows `Live`), then `Applied`/`Deleted` per watch event. A 410 Gone (expired watch) is
//! reported as `Relisting` and the watcher lists again at once. Any other failure (API
//! unreachable, a list not answered within [`Retry::list_timeout`], 401, 403 naming the verb,
//! 5xx) is reported with its attempt number and delay; after the delay comes
//! `Reconnecting { attempt }` and a fresh list, so the pane says `Live` again only once it
//! really is, and pods that vanished meanwhile are shown as deleted. The task ends when the
//! receiver is dropped.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use super::model::{Connection, PodRow, PodsUpdate};
use super::safety::ClusterTarget;

/// Reconnect delays (`first`, doubled per failed attempt, at most `max`) and how long a list
/// may take before the server counts as not answering (a blackholed API would otherwise leave
/// the pane "connecting" forever; an established watch may be idle, so it has no such limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub first: Duration,
    pub max: Duration,
    pub list_timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
            list_timeout: Duration::from_secs(10),
        }
    }
}

impl Retry {
    /// The delay after failed attempt `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        crate::backoff::delay_after(self.first, self.max, attempt)
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
        Retry::default(),
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
                watch_pods(client, target.namespace, selector, tx, Retry::default()).await;
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
    retry: Retry,
) {
    let api: Api<Pod> = Api::namespaced(client, &namespace);
    let mut config = watcher::Config::default();
    if let Some(selector) = selector.as_deref().filter(|s| !s.trim().is_empty()) {
        config = config.labels(selector);
    }
    let mut failures = 0u32;
    let mut state = Connection::Connecting;
    loop {
        if tx.send(PodsUpdate::Connection(state)).await.is_err() {
            return;
        }
        let watch = Watch {
            api: &api,
            config: &config,
            namespace: &namespace,
            tx: &tx,
            retry,
        };
        let Some(make) = watch.run(&mut failures).await else {
            return;
        };
        failures += 1;
        let delay = retry.delay(failures);
        if tx
            .send(PodsUpdate::Connection(make(failures, delay)))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(delay).await;
        state = Connection::Reconnecting {
            attempt: failures + 1,
        };
    }
}

struct Watch<'a> {
    api: &'a Api<Pod>,
    config: &'a watcher::Config,
    namespace: &'a str,
    tx: &'a Sender<PodsUpdate>,
    retry: Retry,
}

impl Watch<'_> {
    /// One watcher from a fresh list until it fails (returns how to report it) or the receiver
    /// is gone (None). Any success resets `failures`.
    async fn run(&self, failures: &mut u32) -> Option<MakeConnection> {
        let mut stream = watcher::watcher(self.api.clone(), self.config.clone()).boxed();
        let mut listing: Vec<PodRow> = Vec::new();
        let mut listed = false;
        loop {
            let next = if listed {
                stream.next().await
            } else {
                match tokio::time::timeout(self.retry.list_timeout, stream.next()).await {
                    Ok(next) => next,
                    Err(_) => return Some(no_answer(self.retry.list_timeout)),
                }
            };
            let update = match next {
                None => return Some(no_answer(Duration::ZERO)),
                Some(Ok(event)) => {
                    listed |= matches!(event, Event::InitDone);
                    let Some(update) = fold(event, &mut listing) else {
                        continue;
                    };
                    *failures = 0;
                    update
                }
                Some(Err(err)) => match classify(&err, self.namespace) {
                    Failure::Gone => {
                        listed = false;
                        PodsUpdate::Connection(Connection::Relisting)
                    }
                    Failure::Retry(make) => {
                        tracing::debug!(%err, attempt = *failures + 1, "pod watch failed");
                        return Some(make);
                    }
                },
            };
            if self.tx.send(update).await.is_err() {
                return None;
            }
        }
    }
}

fn no_answer(after: Duration) -> MakeConnection {
    let error = if after.is_zero() {
        "the watch stream ended".to_string()
    } else {
        format!("no answer within {}", humantime::format_duration(after))
    };
    Box::new(move |attempt, retry_in| Connection::Unreachable {
        attempt,
        retry_in,
        error: error.clone(),
    })
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
        let b = Retry::default();
        let got: Vec<u64> = (1..=9).map(|a| b.delay(a).as_millis() as u64).collect();
        assert_eq!(
            got,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(b.delay(u32::MAX), b.max);
    }
}
