//! Starting the live panes' watchers: a sentinel reached by address at once; everything that
//! talks to Kubernetes only after the learner confirmed the cluster. The app has already made
//! their views (`App::update`); these only spawn the tasks that feed them.

use std::time::SystemTime;

use crate::app::{Action, App};
use crate::kube::events::spawn_event_watch_for;
use crate::kube::pods::spawn_pod_watch_for;
use crate::sentinel::{MonitorConfig, spawn_monitor};

use super::runtime::{Msg, Runtime};

/// When the next pane highlight fades, on the monotonic clock.
pub(super) fn pane_deadline(app: &App) -> Option<tokio::time::Instant> {
    let now = SystemTime::now();
    let fade = app.pods.as_ref().and_then(|p| p.next_deadline());
    // "still watching" turns to done when the settling window ends.
    let settle = app.effects.settles_at().filter(|&t| t > now);
    let at = fade.into_iter().chain(settle).min()?;
    let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
    Some(tokio::time::Instant::now() + wait)
}

impl Runtime {
    /// A sentinel reached by address needs no cluster: watch it from the start.
    pub(super) fn start_local_sentinel(&mut self) -> Option<Action> {
        let pane = self.lesson.meta.panes.sentinel.as_ref()?;
        let namespace = self.lesson.meta.namespace.clone().unwrap_or_default();
        match MonitorConfig::from_pane(pane, &namespace, None) {
            Ok(mut config) => {
                config.wake = self.sentinel_woken.clone();
                spawn_monitor(config, self.sentinel_tx.clone());
                None
            }
            Err(e) => Some(Action::SentinelState(format!("sentinel: {e}"))),
        }
    }

    /// Panes that talk to Kubernetes, with the same private kubeconfig the cells use. The
    /// tasks end when the loop drops the receivers.
    pub(super) fn start_cluster_panes(&mut self, pods: bool, sentinel: bool) {
        let Some(target) = self.cluster.confirmed() else {
            return;
        };
        if let Some(pane) = self.lesson.meta.panes.pods.as_ref().filter(|_| pods) {
            spawn_pod_watch_for(target.clone(), pane.selector.clone(), self.pods_tx.clone());
            spawn_event_watch_for(target.clone(), self.events_tx.clone());
        }
        let Some(pane) = self.lesson.meta.panes.sentinel.clone().filter(|_| sentinel) else {
            return;
        };
        let (updates, msgs) = (self.sentinel_tx.clone(), self.tx.clone());
        let wake = self.sentinel_woken.clone();
        tokio::spawn(async move {
            let config = match target.client().await {
                Ok(client) => MonitorConfig::from_pane(&pane, &target.namespace, Some(client))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match config {
                Ok(config) => drop(spawn_monitor(MonitorConfig { wake, ..config }, updates)),
                Err(e) => {
                    let state = Action::SentinelState(format!("sentinel: {e}"));
                    let _ = msgs.send(Msg::Action(state)).await;
                }
            }
        });
    }
}
