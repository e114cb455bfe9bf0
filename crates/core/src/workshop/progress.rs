//! A learner's progress, published into a ConfigMap of their own namespace so the instructor's
//! `workshop status` can read the room with nothing but the Kubernetes API.
//!
//! The lesson never waits for it: [`Publisher::update`] replaces the latest snapshot in a
//! watch channel; a background task writes at most one snapshot a second and only flags a
//! failed write (the front-ends show a marker).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ObjectMeta, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::plan::{LABEL_LEARNER, LABEL_WORKSHOP};
use crate::kube::safety::ClusterTarget;

/// The ConfigMap in each learner namespace, and its one key.
pub const CONFIGMAP: &str = "kubetutor-progress";
pub const KEY: &str = "progress.json";
/// At most one write per this interval.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProgress {
    pub id: String,
    /// `passed`, `failed`, `skipped`...
    pub verdict: String,
    pub millis: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Running {
    pub id: String,
    /// Unix milliseconds.
    pub since: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failing {
    pub id: String,
    /// When this cell first failed and has not passed since (unix milliseconds).
    pub since: u64,
    /// The tail of its last output.
    pub output: String,
}

/// One learner's snapshot (the ConfigMap's JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// 1-based step the learner is on; 0 before the first.
    pub step: usize,
    pub steps: usize,
    pub cells: Vec<CellProgress>,
    pub running: Option<Running>,
    pub failing: Option<Failing>,
    /// Unix milliseconds of the last cell start or end.
    pub last_activity: u64,
}

/// One word for an outcome, as published.
pub fn verdict(outcome: &crate::exec::Outcome) -> &'static str {
    use crate::exec::Outcome;
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Skipped { .. } => "skipped",
        Outcome::Cancelled => "cancelled",
        Outcome::TimedOut { .. } => "timed-out",
        Outcome::RetriesExhausted { .. } => "verify-failed",
        Outcome::Refused { .. } => "refused",
        Outcome::Error { .. } => "error",
        _ => "failed",
    }
}

pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Progress {
    pub fn new(steps: usize) -> Self {
        Self {
            steps,
            last_activity: now_millis(),
            ..Default::default()
        }
    }

    pub fn started(&mut self, id: &str, step: usize) {
        let now = now_millis();
        self.step = self.step.max(step + 1);
        self.running = Some(Running {
            id: id.to_string(),
            since: now,
        });
        self.last_activity = now;
    }

    /// A cell ended: its latest verdict replaces an earlier one of the same id.
    pub fn finished(&mut self, id: &str, verdict: &str, took: Duration, output: &str) {
        let now = now_millis();
        self.running = None;
        self.last_activity = now;
        let entry = CellProgress {
            id: id.to_string(),
            verdict: verdict.to_string(),
            millis: took.as_millis() as u64,
        };
        match self.cells.iter_mut().find(|c| c.id == id) {
            Some(c) => *c = entry,
            None => self.cells.push(entry),
        }
        if verdict == "passed" || verdict == "skipped" {
            if self.failing.as_ref().is_some_and(|f| f.id == id) {
                self.failing = None;
            }
            return;
        }
        let since = match &self.failing {
            Some(f) if f.id == id => f.since,
            _ => now.saturating_sub(took.as_millis() as u64),
        };
        let tail = tail(output, 2048);
        self.failing = Some(Failing {
            id: id.to_string(),
            since,
            output: tail,
        });
    }

    pub fn passed(&self) -> usize {
        self.cells.iter().filter(|c| c.verdict == "passed").count()
    }

    pub fn failed(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| c.verdict != "passed" && c.verdict != "skipped")
            .count()
    }
}

fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s[start..].to_string()
}

/// The learner's side: a snapshot channel and the writer task.
#[derive(Clone)]
pub struct Publisher {
    tx: watch::Sender<Progress>,
    failing: Arc<AtomicBool>,
    writes: Arc<AtomicU64>,
    /// Snapshots sent, and the count the writer had seen at its last successful write.
    sent: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
}

impl Publisher {
    /// Starts the writer for a confirmed `target` (so nothing is written before the user said
    /// yes). It stops by itself when the namespace is not a workshop's (no label); `workshop`
    /// (`--workshop NAME`) insists instead. Needs a tokio runtime.
    pub fn start(target: ClusterTarget, workshop: Option<String>, first: Progress) -> Self {
        let (tx, rx) = watch::channel(first);
        let failing = Arc::new(AtomicBool::new(false));
        let writes = Arc::new(AtomicU64::new(0));
        let sent = Arc::new(AtomicU64::new(1));
        let written = Arc::new(AtomicU64::new(0));
        let task = Writer {
            target,
            workshop,
            failing: failing.clone(),
            writes: writes.clone(),
            sent: sent.clone(),
            written: written.clone(),
        };
        tokio::spawn(task.run(rx));
        Self {
            tx,
            failing,
            writes,
            sent,
            written,
        }
    }

    pub fn update(&self, f: impl FnOnce(&mut Progress)) {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.tx.send_modify(f);
    }

    /// Whether the last write failed (for the marker).
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// Waits (at most `within`) until the latest snapshot has been written, for a run's end.
    pub async fn flush(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.tx.receiver_count() > 0 && tokio::time::Instant::now() < deadline {
            if self.written.load(Ordering::SeqCst) >= self.sent.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

struct Writer {
    target: ClusterTarget,
    workshop: Option<String>,
    failing: Arc<AtomicBool>,
    writes: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
    written: Arc<AtomicU64>,
}

impl Writer {
    async fn run(self, mut rx: watch::Receiver<Progress>) {
        let Ok(client) = self.target.client().await else {
            self.failing.store(true, Ordering::Relaxed);
            return;
        };
        let Some((workshop, learner)) = self.identity(&client).await else {
            return;
        };
        let api: Api<ConfigMap> = Api::namespaced(client, &self.target.namespace);
        rx.mark_changed();
        while rx.changed().await.is_ok() {
            // Read before the snapshot: it may include later updates, never fewer.
            let version = self.sent.load(Ordering::SeqCst);
            let snapshot = rx.borrow_and_update().clone();
            let ok = write(&api, &workshop, &learner, &snapshot).await;
            self.failing.store(!ok, Ordering::Relaxed);
            if ok {
                self.writes.fetch_add(1, Ordering::Relaxed);
                self.written.store(version, Ordering::SeqCst);
            }
            tokio::time::sleep(MIN_INTERVAL).await;
        }
    }

    /// The workshop and learner from the namespace's labels (or `--workshop` and the
    /// namespace name when the labels cannot be read).
    async fn identity(&self, client: &kube::Client) -> Option<(String, String)> {
        let ns: Api<Namespace> = Api::all(client.clone());
        let labels = match ns.get(&self.target.namespace).await {
            Ok(found) => found.metadata.labels.unwrap_or_default(),
            Err(e) => {
                tracing::debug!("progress: cannot read namespace labels: {e}");
                Default::default()
            }
        };
        let workshop = labels
            .get(LABEL_WORKSHOP)
            .cloned()
            .or(self.workshop.clone())?;
        let learner = labels
            .get(LABEL_LEARNER)
            .cloned()
            .unwrap_or_else(|| self.target.namespace.clone());
        Some((workshop, learner))
    }
}

async fn write(api: &Api<ConfigMap>, workshop: &str, learner: &str, p: &Progress) -> bool {
    let Ok(json) = serde_json::to_string(p) else {
        return false;
    };
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(CONFIGMAP.into()),
            labels: Some(
                [
                    (LABEL_WORKSHOP.to_string(), workshop.to_string()),
                    (LABEL_LEARNER.to_string(), learner.to_string()),
                ]
                .into(),
            ),
            ..Default::default()
        },
        data: Some([(KEY.to_string(), json)].into()),
        ..Default::default()
    };
    let params = PatchParams::apply("kubetutor-progress").force();
    match api.patch(CONFIGMAP, &params, &Patch::Apply(&cm)).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!("progress write failed: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_cell_keeps_its_first_failure_time_until_it_passes() {
        let mut p = Progress::new(12);
        p.started("a", 0);
        assert_eq!(p.step, 1);
        assert_eq!(p.running.as_ref().unwrap().id, "a");
        p.finished("a", "failed", Duration::from_millis(10), "boom");
        let first = p.failing.clone().unwrap();
        assert_eq!((first.id.as_str(), first.output.as_str()), ("a", "boom"));
        std::thread::sleep(Duration::from_millis(5));
        p.started("a", 0);
        p.finished("a", "failed", Duration::from_millis(10), "again");
        assert_eq!(p.failing.as_ref().unwrap().since, first.since);
        assert_eq!(p.failing.as_ref().unwrap().output, "again");
        assert_eq!((p.passed(), p.failed(), p.cells.len()), (0, 1, 1));
        p.finished("a", "passed", Duration::ZERO, "");
        assert_eq!(p.failing, None);
        assert_eq!((p.passed(), p.failed()), (1, 0));
        p.started("b", 3);
        assert_eq!(p.step, 4);
        assert!(p.running.is_some());
    }

    #[test]
    fn long_output_keeps_its_tail_on_a_char_boundary() {
        let s = format!("{}é{}", "x".repeat(3000), "y".repeat(2047));
        let t = tail(&s, 2048);
        assert!(t.ends_with('y') && t.len() <= 2048);
    }
}
