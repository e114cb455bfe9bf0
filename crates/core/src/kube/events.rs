//! The Events watch (issue 19): `events.k8s.io/v1` Events in the lesson namespace, as
//! [`Observed`] effects for the attribution fold. Started with the pods watch.
//!
//! Only Events that arrive after the first list count: the list is history (what earlier
//! steps did), not something the running cell caused. Each Event is stamped with our clock at
//! arrival, like the pods watch's changes, so a cluster whose clock is skewed still attributes
//! right. Failures are logged and retried with the watcher's backoff; the pods pane already
//! tells the learner when the API is unreachable.

use std::time::SystemTime;

use futures::StreamExt;
use k8s_openapi::api::events::v1::Event as KubeEvent;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

use super::safety::ClusterTarget;
use crate::effects::{Observed, ObservedKind};

/// Builds the client from the target's private kubeconfig, then watches its namespace.
pub fn spawn_event_watch_for(target: ClusterTarget, tx: Sender<Observed>) -> JoinHandle<()> {
    tokio::spawn(async move {
        match target.client().await {
            Ok(client) => watch_events(client, target.namespace, tx).await,
            Err(err) => tracing::warn!(%err, "events watch: no client"),
        }
    })
}

/// The watch loop; returns when `tx` is closed or the stream ends.
pub async fn watch_events(client: kube::Client, namespace: String, tx: Sender<Observed>) {
    let api: Api<KubeEvent> = Api::namespaced(client, &namespace);
    let mut stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut listed = false;
    while let Some(next) = stream.next().await {
        let event = match next {
            Ok(event) => event,
            Err(err) => {
                tracing::debug!(%err, "events watch failed; retrying");
                continue;
            }
        };
        let ev = match event {
            Event::Init => {
                listed = false;
                continue;
            }
            Event::InitDone => {
                listed = true;
                continue;
            }
            Event::InitApply(_) | Event::Delete(_) => continue,
            Event::Apply(ev) if listed => ev,
            Event::Apply(_) => continue,
        };
        if tx.send(observed(&ev, SystemTime::now())).await.is_err() {
            return;
        }
    }
}

/// `Scheduled pod/redis-7xk2p: Successfully assigned ...`.
pub fn observed(ev: &KubeEvent, at: SystemTime) -> Observed {
    let object = ev.regarding.as_ref().map_or_else(String::new, |r| {
        let kind = r.kind.as_deref().unwrap_or("object").to_ascii_lowercase();
        format!("{kind}/{}", r.name.as_deref().unwrap_or(""))
    });
    let kind = ObservedKind::KubeEvent {
        reason: ev.reason.clone().unwrap_or_default(),
        message: ev.note.clone().unwrap_or_default(),
    };
    Observed::new(at, object, kind)
}
