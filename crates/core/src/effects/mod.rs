//! What a command did: effects observed in the cluster and the sentinels, attributed to the cell
//! that caused them (issue 19).
//!
//! [`Attribution`] is a pure fold: cell starts and ends and [`Observed`] records come in with
//! their own times, so a recorded sequence replays to the same attribution. An effect belongs to
//! the cell in flight, or to the cell whose settling window is open (from its end until the next
//! cell starts, at most [`Attribution::SETTLE`]); otherwise to the step. An effect on an object
//! that changed shortly before the cell started is marked continuing: the cell did not cause it.

pub mod pods;
mod summary;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use crate::kube::model::PodRow;
use crate::sentinel::SentinelEvent;

pub use summary::{Group, GroupKind, span as summary_span};

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObservedKind {
    PodAdded,
    PodDeleted,
    /// Phase (kubectl's STATUS) or readiness changed: `from` and `to` as `Running 1/1`.
    PodChanged {
        from: String,
        to: String,
    },
    /// A Kubernetes Event (`events.k8s.io/v1`) about `object` (`pod/redis-7xk2p`).
    KubeEvent {
        reason: String,
        message: String,
    },
    /// A Sentinel Pub/Sub event; `detail` is its payload.
    Sentinel {
        name: String,
        detail: String,
    },
}

/// One observed effect: what, on which object, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub at: SystemTime,
    /// `pod/<name>`, an Event's regarding object, or the sentinel instance's name.
    pub object: String,
    pub kind: ObservedKind,
}

impl Observed {
    pub fn new(at: SystemTime, object: impl Into<String>, kind: ObservedKind) -> Self {
        Self {
            at,
            object: object.into(),
            kind,
        }
    }

    /// What a pods-watch update means, given the row as it was (`None`: a new pod). `None`
    /// when nothing a learner cares about changed (restart times, IP assignment alone).
    pub fn pod(old: Option<&PodRow>, new: &PodRow, at: SystemTime) -> Option<Self> {
        let object = format!("pod/{}", new.name);
        let Some(old) = old else {
            return Some(Self::new(at, object, ObservedKind::PodAdded));
        };
        let state = |r: &PodRow| format!("{} {}/{}", r.status, r.ready, r.total);
        let (from, to) = (state(old), state(new));
        (from != to).then(|| Self::new(at, object, ObservedKind::PodChanged { from, to }))
    }

    pub fn pod_deleted(name: &str, at: SystemTime) -> Self {
        Self::new(at, format!("pod/{name}"), ObservedKind::PodDeleted)
    }

    pub fn sentinel(event: &SentinelEvent, at: SystemTime) -> Self {
        let object = event.instance().map_or_else(String::new, |i| i.name);
        Self::new(
            at,
            object,
            ObservedKind::Sentinel {
                name: event.name.clone(),
                detail: event.payload.clone(),
            },
        )
    }

    /// Whether the object is still mid-change after this effect (a pod scheduled but not
    /// ready, a failover under way): a later effect on it, in a later cell, is "continuing".
    pub fn in_progress(&self) -> bool {
        match &self.kind {
            ObservedKind::PodAdded => true,
            ObservedKind::PodDeleted => false,
            ObservedKind::PodChanged { to, .. } => !pod_settled(to),
            ObservedKind::KubeEvent { reason, .. } => KUBE_IN_PROGRESS.contains(&reason.as_str()),
            ObservedKind::Sentinel { name, .. } => {
                SENTINEL_IN_PROGRESS.contains(&name.as_str()) || name.starts_with("+failover-state")
            }
        }
    }

    /// One line with every detail, for the expanded list and `run --effects`.
    pub fn describe(&self) -> String {
        match &self.kind {
            ObservedKind::PodAdded => format!("{} added", self.object),
            ObservedKind::PodDeleted => format!("{} deleted", self.object),
            ObservedKind::PodChanged { from, to } => format!("{} {from} -> {to}", self.object),
            ObservedKind::KubeEvent { reason, message } => {
                format!("{reason} {}: {message}", self.object)
            }
            ObservedKind::Sentinel { name, detail } => format!("sentinel {name} {detail}"),
        }
    }
}

impl crate::lesson::Until {
    /// Whether `observed` is the effect this waits for.
    pub fn matches(&self, observed: &Observed) -> bool {
        match (self, &observed.kind) {
            (Self::Sentinel { name, words }, ObservedKind::Sentinel { name: n, detail }) => {
                name == n
                    && words
                        .iter()
                        .all(|w| detail.split_whitespace().any(|d| d == w))
            }
            (Self::KubeEvent { reason, object }, ObservedKind::KubeEvent { reason: r, .. }) => {
                reason == r
                    && object
                        .as_deref()
                        .is_none_or(|prefix| observed.object.starts_with(prefix))
            }
            _ => false,
        }
    }
}

/// Event reasons after which more is to come for the object. A controller's
/// `SuccessfulCreate`, `SuccessfulDelete` or `ScalingReplicaSet` is not among them: the
/// action is done when it is reported, and what follows happens to the pods (a replacement a
/// later cell's delete causes is that cell's news, not the controller "continuing").
const KUBE_IN_PROGRESS: &[&str] = &["Scheduled", "Pulling", "Pulled", "Created", "Killing"];

/// Sentinel events of a failover or an outage still under way.
const SENTINEL_IN_PROGRESS: &[&str] = &[
    "+sdown",
    "+odown",
    "+new-epoch",
    "+try-failover",
    "+vote-for-leader",
    "+elected-leader",
    "+selected-slave",
    "+promoted-slave",
    "+slave-reconf-sent",
    "+slave-reconf-inprog",
];

/// `Running 1/1`, `Completed 0/1`: a state the pod stays in by itself.
fn pod_settled(state: &str) -> bool {
    let (status, ready) = state.rsplit_once(' ').unwrap_or((state, ""));
    let all_ready = ready.split_once('/').is_some_and(|(r, t)| r == t);
    (status == "Running" && all_ready)
        || matches!(status, "Completed" | "Succeeded" | "Failed" | "Error")
}

/// An effect as attributed: its offset from the cell's start (from the step's first effect for
/// effects with no cell) and whether it was already under way before the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributed {
    pub offset: Duration,
    pub continuing: bool,
    pub observed: Observed,
}

/// Everything one cell (or one step, between cells) caused: a bounded list and its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEffects {
    pub started: SystemTime,
    /// When the cell's run ended; None while it runs.
    pub finished: Option<SystemTime>,
    /// The next cell started: the settling window ended early.
    pub closed: bool,
    /// The first [`Attribution::MAX_LISTED`] effects, in arrival order.
    pub list: Vec<Attributed>,
    /// Effects beyond the list: counted and grouped, not listed.
    pub dropped: usize,
    pub groups: Vec<Group>,
}

impl CellEffects {
    fn new(started: SystemTime) -> Self {
        Self {
            started,
            finished: None,
            closed: false,
            list: Vec::new(),
            dropped: 0,
            groups: Vec::new(),
        }
    }

    /// Whether effects may still arrive at `now` (running, or inside the settling window).
    pub fn watching(&self, now: SystemTime) -> bool {
        !self.closed && self.finished.is_none_or(|f| now < f + Attribution::SETTLE)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len() + self.dropped
    }

    fn push(&mut self, effect: Attributed) {
        summary::add(&mut self.groups, &effect);
        if self.list.len() < Attribution::MAX_LISTED {
            self.list.push(effect);
        } else {
            self.dropped += 1;
        }
    }
}

/// The attribution fold. Cells and steps are plain indices, so the front-ends key it as they like.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    cells: HashMap<usize, CellEffects>,
    steps: HashMap<usize, CellEffects>,
    /// The cell whose run or settling window is current.
    current: Option<usize>,
    /// Objects left mid-change and when, for "continuing" (pruned past [`Self::RECENT`]).
    last_change: HashMap<String, SystemTime>,
    recent: VecDeque<(SystemTime, String)>,
}

impl Attribution {
    /// The settling window after a cell ends: effects trail the command (a pod is scheduled
    /// after `kubectl create` returns, a failover takes seconds).
    pub const SETTLE: Duration = Duration::from_secs(30);
    /// An object left mid-change this shortly before a cell started was still changing.
    pub const RECENT: Duration = Duration::from_secs(30);
    /// Listed effects per cell; the rest are only counted into the groups (bounded memory).
    pub const MAX_LISTED: usize = 200;

    pub fn new() -> Self {
        Self::default()
    }

    /// A cell started at `at`: the previous cell's settling window ends, this one's run opens.
    pub fn cell_started(&mut self, cell: usize, at: SystemTime) {
        if let Some(prev) = self.current.and_then(|c| self.cells.get_mut(&c)) {
            prev.closed = true;
        }
        self.cells.insert(cell, CellEffects::new(at));
        self.current = Some(cell);
    }

    /// A cell's run ended: its settling window starts.
    pub fn cell_finished(&mut self, cell: usize, at: SystemTime) {
        if let Some(fx) = self.cells.get_mut(&cell) {
            fx.finished.get_or_insert(at);
        }
    }

    /// Attributes one effect; `step` is where an effect with no cell in flight goes.
    pub fn observe(&mut self, observed: Observed, step: usize) {
        let at = observed.at;
        let open = self
            .current
            .filter(|c| self.cells.get(c).is_some_and(|fx| fx.watching(at)));
        let fx = match open {
            Some(cell) => self.cells.get_mut(&cell),
            None => None,
        };
        let fx = match fx {
            Some(fx) => fx,
            None => self
                .steps
                .entry(step)
                .or_insert_with(|| CellEffects::new(at)),
        };
        let started = fx.started;
        let continuing = open.is_some()
            && self
                .last_change
                .get(&observed.object)
                .is_some_and(|&t| t < started && t + Self::RECENT >= started);
        let offset = at.duration_since(started).unwrap_or_default();
        let object = observed.object.clone();
        let in_progress = observed.in_progress();
        fx.push(Attributed {
            offset,
            continuing,
            observed,
        });
        self.remember(object, in_progress, at);
    }

    fn remember(&mut self, object: String, in_progress: bool, at: SystemTime) {
        while let Some((t, _)) = self.recent.front() {
            if *t + Self::RECENT >= at {
                break;
            }
            let (t, name) = self.recent.pop_front().expect("front exists");
            if self.last_change.get(&name) == Some(&t) {
                self.last_change.remove(&name);
            }
        }
        if object.is_empty() {
            return;
        }
        if !in_progress {
            // Settled: what comes next for it is news again.
            self.last_change.remove(&object);
            return;
        }
        self.last_change.insert(object.clone(), at);
        self.recent.push_back((at, object));
    }

    /// The lesson was reloaded: effects follow their cell to its new index (`cells`) and
    /// their step to its (`steps`); those of cells and steps that are gone are dropped.
    pub fn remap(
        &mut self,
        cells: &dyn Fn(usize) -> Option<usize>,
        steps: &dyn Fn(usize) -> Option<usize>,
    ) {
        let moved = |map: &mut HashMap<usize, CellEffects>, to: &dyn Fn(usize) -> Option<usize>| {
            *map = std::mem::take(map)
                .into_iter()
                .filter_map(|(k, v)| Some((to(k)?, v)))
                .collect();
        };
        moved(&mut self.cells, cells);
        moved(&mut self.steps, steps);
        self.current = self.current.and_then(cells);
    }

    pub fn cell(&self, cell: usize) -> Option<&CellEffects> {
        self.cells.get(&cell)
    }

    pub fn step(&self, step: usize) -> Option<&CellEffects> {
        self.steps.get(&step)
    }

    /// When the current cell's settling window ends, to redraw "still watching" as done.
    pub fn settles_at(&self) -> Option<SystemTime> {
        let fx = self.cells.get(&self.current?)?;
        (!fx.closed).then_some(fx.finished? + Self::SETTLE)
    }
}
