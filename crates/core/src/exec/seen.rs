//! What the watchers observed, as the engine hears of it: a cell with `until=` waits here for
//! its effect instead of polling kubectl in a loop. The front-end forwards every observation
//! ([`crate::exec::EngineHandle::observed`]); the newest are kept (bounded), so an effect that
//! arrived after the cell before started, and before this one did, still counts.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::effects::Observed;
use crate::lesson::Until;

/// Observations kept for cells that start waiting after the effect arrived.
const KEPT: usize = 1024;

#[derive(Default)]
pub struct Seen {
    recent: Mutex<VecDeque<Observed>>,
    arrived: Notify,
}

/// How a wait ended.
#[derive(Debug, PartialEq)]
pub enum Waited {
    Seen(Observed),
    TimedOut,
    Cancelled,
}

impl Seen {
    pub fn push(&self, observed: Observed) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.push_back(observed);
        while recent.len() > KEPT {
            recent.pop_front();
        }
        drop(recent);
        self.arrived.notify_waiters();
    }

    fn find(&self, until: &Until, since: SystemTime) -> Option<Observed> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .iter()
            .find(|o| o.at >= since && until.matches(o))
            .cloned()
    }

    /// The first observation since `since` that `until` matches: one kept already, or the
    /// next to arrive before `deadline`.
    pub async fn wait(
        &self,
        until: &Until,
        since: SystemTime,
        deadline: Instant,
        cancel: &CancellationToken,
    ) -> Waited {
        loop {
            // Registered before looking, so an arrival in between is not missed.
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(found) = self.find(until, since) {
                return Waited::Seen(found);
            }
            tokio::select! {
                _ = &mut arrived => {}
                _ = tokio::time::sleep_until(deadline.into()) => return Waited::TimedOut,
                _ = cancel.cancelled() => return Waited::Cancelled,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effects::ObservedKind;
    use std::sync::Arc;
    use std::time::Duration;

    fn switch(at: SystemTime, payload: &str) -> Observed {
        Observed::new(
            at,
            "sentinel-1",
            ObservedKind::Sentinel {
                name: "+switch-master".into(),
                detail: payload.into(),
            },
        )
    }

    fn until() -> Until {
        Until::Sentinel {
            name: "+switch-master".into(),
            words: vec!["mymaster".into()],
        }
    }

    #[tokio::test]
    async fn an_effect_kept_since_the_cell_before_counts_and_an_older_one_does_not() {
        let seen = Seen::default();
        let t0 = SystemTime::now();
        seen.push(switch(t0 - Duration::from_secs(60), "mymaster old"));
        let cancel = CancellationToken::new();
        let soon = Instant::now() + Duration::from_millis(100);
        assert_eq!(
            seen.wait(&until(), t0, soon, &cancel).await,
            Waited::TimedOut
        );
        let fresh = switch(
            t0 + Duration::from_secs(1),
            "mymaster 127.0.0.1 16379 127.0.0.1 16380",
        );
        seen.push(fresh.clone());
        let later = Instant::now() + Duration::from_secs(5);
        assert_eq!(
            seen.wait(&until(), t0, later, &cancel).await,
            Waited::Seen(fresh)
        );
    }

    #[tokio::test]
    async fn a_waiting_cell_wakes_on_arrival_and_on_cancel() {
        let seen = Arc::new(Seen::default());
        let t0 = SystemTime::now();
        let cancel = CancellationToken::new();
        let waiter = {
            let (seen, cancel) = (seen.clone(), cancel.clone());
            tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(10);
                seen.wait(&until(), t0, deadline, &cancel).await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen.push(switch(SystemTime::now(), "othermaster x"));
        let started = Instant::now();
        seen.push(switch(SystemTime::now(), "mymaster y"));
        assert!(matches!(waiter.await.unwrap(), Waited::Seen(_)));
        assert!(started.elapsed() < Duration::from_secs(1));

        let waiter = {
            let (seen, cancel) = (seen.clone(), cancel.clone());
            tokio::spawn(async move {
                let never = Until::KubeEvent {
                    reason: "Started".into(),
                    object: Some("pod/redis-".into()),
                };
                let deadline = Instant::now() + Duration::from_secs(10);
                seen.wait(&never, t0, deadline, &cancel).await
            })
        };
        cancel.cancel();
        assert_eq!(waiter.await.unwrap(), Waited::Cancelled);
    }
}
