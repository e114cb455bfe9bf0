//! Effects in headless `run` (issue 19): the same watchers as the TUI's panes, folded by the
//! same attribution, one line per cell (`--effects`: the full list).
//!
//! A cell's settling window ends when the next cell starts, so its line is printed then, just
//! before the next command: in a CI log it sits under the cell that caused it.

use std::time::SystemTime;

use tokio::sync::mpsc;

use crate::effects::pods::PodDiff;
use crate::effects::{Attribution, CellEffects, Observed, summary_span};
use crate::kube::events::spawn_event_watch_for;
use crate::kube::model::PodsUpdate;
use crate::kube::pods::spawn_pod_watch_for;
use crate::kube::safety::ClusterTarget;
use crate::lesson::{CellIndex, Lesson};
use crate::sentinel::{MonitorConfig, SentinelUpdate, WakeHandle, spawn_monitor, wake_channel};

pub struct Effects {
    fold: Attribution,
    tx: mpsc::Sender<Observed>,
    rx: mpsc::Receiver<Observed>,
    /// Some watcher runs: only then is "none" a finding.
    watching: bool,
    cluster: bool,
    wake: Option<WakeHandle>,
    /// The cell whose line is printed when the next one starts.
    pending: Option<CellIndex>,
    full: bool,
}

impl Effects {
    /// Every observation also goes to `engine`, where cells with `until=` wait for theirs.
    pub fn new(full: bool, engine: crate::exec::EngineHandle) -> Self {
        let (tx, mut observed) = mpsc::channel::<Observed>(1024);
        let (folded, rx) = mpsc::channel(1024);
        tokio::spawn(async move {
            while let Some(o) = observed.recv().await {
                engine.observed(o.clone());
                if folded.send(o).await.is_err() {
                    return;
                }
            }
        });
        Self {
            fold: Attribution::new(),
            tx,
            rx,
            watching: false,
            cluster: false,
            wake: None,
            pending: None,
            full,
        }
    }

    /// A sentinel reached by address (a local lesson) is watched from the start.
    pub fn start_local_sentinel(&mut self, lesson: &Lesson) {
        let Some(pane) = lesson.meta.panes.sentinel.as_ref() else {
            return;
        };
        if pane.address.is_none() {
            return;
        }
        let namespace = lesson.meta.namespace.clone().unwrap_or_default();
        let Ok(mut config) = MonitorConfig::from_pane(pane, &namespace, None) else {
            return;
        };
        let (handle, wake) = wake_channel();
        config.wake = wake;
        self.wake = Some(handle);
        let (updates, mut rx) = mpsc::channel::<SentinelUpdate>(256);
        spawn_monitor(config, updates);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(update) = rx.recv().await {
                if let SentinelUpdate::Event { at, event, .. } = update
                    && tx.send(Observed::sentinel(&event, at)).await.is_err()
                {
                    return;
                }
            }
        });
        self.watching = true;
    }

    /// After the learner's consent: the pods and Events of the lesson namespace.
    pub fn start_cluster(&mut self, lesson: &Lesson, target: &ClusterTarget) {
        if self.cluster {
            return;
        }
        self.cluster = true;
        self.watching = true;
        let selector = lesson
            .meta
            .panes
            .pods
            .as_ref()
            .and_then(|p| p.selector.clone());
        let (updates, mut rx) = mpsc::channel::<PodsUpdate>(256);
        spawn_pod_watch_for(target.clone(), selector, updates);
        spawn_event_watch_for(target.clone(), self.tx.clone());
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let mut diff = PodDiff::default();
            while let Some(update) = rx.recv().await {
                let Some(observed) = diff.fold(update, SystemTime::now()) else {
                    continue;
                };
                if tx.send(observed).await.is_err() {
                    return;
                }
            }
        });
    }

    /// A background job started: a sentinel it runs may answer now, not after the backoff.
    pub fn wake_sentinel(&self) {
        if let Some(wake) = &self.wake {
            wake.wake();
        }
    }

    fn drain(&mut self, step: usize) {
        while let Ok(observed) = self.rx.try_recv() {
            self.fold.observe(observed, step);
        }
    }

    /// A cell's command starts (call [`Self::finish`] first: its window closes now).
    pub fn cell_started(&mut self, cell: CellIndex, step: usize) {
        self.drain(step);
        self.fold.cell_started(cell, SystemTime::now());
    }

    pub fn cell_finished(&mut self, cell: CellIndex, step: usize) {
        self.drain(step);
        self.fold.cell_finished(cell, SystemTime::now());
        self.pending = Some(cell);
    }

    /// The lines of the cell whose window is open, closing it.
    pub fn finish(&mut self, step: usize) -> Option<(CellIndex, Vec<String>)> {
        self.drain(step);
        let cell = self.pending.take()?;
        if !self.watching {
            return None;
        }
        Some((cell, lines(self.fold.cell(cell), self.full)))
    }
}

/// `effects: ...` and, in full, one line per effect.
pub fn lines(fx: Option<&CellEffects>, full: bool) -> Vec<String> {
    let Some(fx) = fx.filter(|fx| !fx.is_empty()) else {
        return vec!["effects: none observed".to_string()];
    };
    let mut out = vec![format!("effects: {}", fx.summary())];
    if full {
        for effect in &fx.list {
            let mark = if effect.continuing {
                " (continuing)"
            } else {
                ""
            };
            let when = summary_span(effect.offset, effect.offset);
            out.push(format!("  {when:>9}  {}{mark}", effect.observed.describe()));
        }
        if fx.dropped > 0 {
            out.push(format!("  … {} more not listed", fx.dropped));
        }
    }
    out
}
