//! The room as the instructor sees it: one row per learner from their progress ConfigMaps,
//! with stuck and idle markers, and how many learners are on each step.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::WorkshopError;
use super::plan::{LABEL_LEARNER, Plan};
use super::progress::{CONFIGMAP, KEY, Progress};

/// A verify failing this long marks the learner as stuck.
pub const STUCK_AFTER: Duration = Duration::from_secs(120);
/// No cell started or ended for this long: idle.
pub const IDLE_AFTER: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub learner: String,
    pub namespace: String,
    /// None until the learner's kubetutor published once.
    pub step: Option<usize>,
    pub steps: usize,
    pub passed: usize,
    pub failed: usize,
    pub running: Option<String>,
    pub running_secs: Option<u64>,
    pub failing: Option<String>,
    pub failing_secs: Option<u64>,
    pub last_output: Option<String>,
    pub stuck: bool,
    pub idle: bool,
    pub idle_secs: Option<u64>,
    /// Behind the instructor's step (only with an instructor).
    pub behind: bool,
    /// The learner's namespace is being deleted (by `workshop delete`, or by hand).
    pub deleting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    pub workshop: String,
    pub rows: Vec<Row>,
    /// Step -> learners on it (0: not started).
    pub on_step: BTreeMap<usize, usize>,
    pub instructor_step: Option<usize>,
}

fn secs_since(now_ms: u64, then_ms: u64) -> u64 {
    now_ms.saturating_sub(then_ms) / 1000
}

/// A learner's row at `now_ms` (unix milliseconds).
pub fn row(learner: &str, namespace: &str, p: Option<&Progress>, now_ms: u64) -> Row {
    let mut r = Row {
        learner: learner.to_string(),
        namespace: namespace.to_string(),
        step: None,
        steps: 0,
        passed: 0,
        failed: 0,
        running: None,
        running_secs: None,
        failing: None,
        failing_secs: None,
        last_output: None,
        stuck: false,
        idle: false,
        idle_secs: None,
        behind: false,
        deleting: false,
    };
    let Some(p) = p else { return r };
    r.step = Some(p.step);
    r.steps = p.steps;
    r.passed = p.passed();
    r.failed = p.failed();
    if let Some(run) = &p.running {
        r.running = Some(run.id.clone());
        r.running_secs = Some(secs_since(now_ms, run.since));
    }
    if let Some(f) = &p.failing {
        let secs = secs_since(now_ms, f.since);
        r.failing = Some(f.id.clone());
        r.failing_secs = Some(secs);
        r.last_output = Some(f.output.clone());
        r.stuck = secs >= STUCK_AFTER.as_secs();
    }
    let idle = secs_since(now_ms, p.last_activity);
    r.idle_secs = Some(idle);
    r.idle = p.running.is_none() && idle >= IDLE_AFTER.as_secs();
    r
}

/// Rows sorted by learner, the step summary, and the behind marks against `instructor`
/// (a learner's name whose step counts as the room's pace).
pub fn room(workshop: &str, mut rows: Vec<Row>, instructor: Option<&str>) -> Room {
    rows.sort_by(|a, b| a.learner.cmp(&b.learner));
    let instructor_step = instructor
        .and_then(|name| rows.iter().find(|r| r.learner == name))
        .and_then(|r| r.step);
    let mut on_step = BTreeMap::new();
    for r in &mut rows {
        *on_step.entry(r.step.unwrap_or(0)).or_insert(0) += 1;
        if let Some(pace) = instructor_step {
            r.behind = instructor != Some(r.learner.as_str()) && r.step.unwrap_or(0) < pace;
        }
    }
    Room {
        workshop: workshop.to_string(),
        rows,
        on_step,
        instructor_step,
    }
}

/// What the cluster holds of a workshop at one moment: its learners (name, namespace) and the
/// progress each published. Rows follow from it at any `now` (running times, stuck and idle
/// marks advance with the clock), so a dashboard recomputes them every second without asking
/// the API again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub learners: Vec<Learner>,
    pub progress: BTreeMap<String, Progress>,
}

/// A learner as the cluster lists them: their name, namespace, and whether it is going away.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learner {
    pub name: String,
    pub namespace: String,
    pub deleting: bool,
}

impl Learner {
    pub fn new(name: &str, namespace: &str) -> Self {
        Self {
            name: name.to_string(),
            namespace: namespace.to_string(),
            deleting: false,
        }
    }
}

impl Snapshot {
    /// The room at `now_ms` (unix milliseconds), paced by `instructor` when given.
    pub fn room(&self, workshop: &str, instructor: Option<&str>, now_ms: u64) -> Room {
        let rows = self
            .learners
            .iter()
            .map(|l| {
                let mut r = row(
                    &l.name,
                    &l.namespace,
                    self.progress.get(&l.namespace),
                    now_ms,
                );
                r.deleting = l.deleting;
                r
            })
            .collect();
        room(workshop, rows, instructor)
    }
}

/// Reads the workshop's namespaces and progress ConfigMaps once (two list calls, however big
/// the room) and makes its room at `now_ms`.
pub async fn fetch(
    client: &kube::Client,
    workshop: &str,
    instructor: Option<&str>,
    now_ms: u64,
) -> Result<Room, WorkshopError> {
    Ok(snapshot(client, workshop)
        .await?
        .room(workshop, instructor, now_ms))
}

/// Reads the workshop's namespaces and progress ConfigMaps once (two list calls).
pub async fn snapshot(client: &kube::Client, workshop: &str) -> Result<Snapshot, WorkshopError> {
    let lp = ListParams::default().labels(&Plan::selector(workshop));
    let err = |kind: &'static str| {
        move |e: kube::Error| WorkshopError::Api {
            action: "list",
            kind,
            name: Plan::selector(workshop),
            reason: crate::kube::root_cause(&e),
        }
    };
    let namespaces = Api::<Namespace>::all(client.clone())
        .list(&lp)
        .await
        .map_err(err("Namespace"))?;
    let maps = Api::<ConfigMap>::all(client.clone())
        .list(&lp)
        .await
        .map_err(err("ConfigMap"))?;
    let mut progress: BTreeMap<String, Progress> = BTreeMap::new();
    for cm in maps.items.iter().filter(|c| c.name_any() == CONFIGMAP) {
        let parsed = cm
            .data
            .as_ref()
            .and_then(|d| d.get(KEY))
            .and_then(|j| serde_json::from_str::<Progress>(j).ok());
        if let (Some(ns), Some(p)) = (cm.namespace(), parsed) {
            progress.insert(ns, p);
        }
    }
    let learners = namespaces
        .items
        .iter()
        .map(|ns| {
            let name = ns.name_any();
            let learner = ns
                .labels()
                .get(LABEL_LEARNER)
                .cloned()
                .unwrap_or_else(|| name.clone());
            Learner {
                name: learner,
                deleting: ns.metadata.deletion_timestamp.is_some(),
                namespace: name,
            }
        })
        .collect();
    Ok(Snapshot { learners, progress })
}

/// One item per change of the workshop's progress ConfigMaps or namespaces (kube-rs watches,
/// which relist after an apiserver restart or a 410), so a dashboard refetches only when
/// something moved: a learner's step, or a learner's namespace created or deleted.
/// While the API is down, errors come with kube-runtime's backoff, not as fast as the
/// connection is refused.
pub fn changes(
    client: &kube::Client,
    workshop: &str,
) -> futures::stream::BoxStream<'static, Result<(), kube::runtime::watcher::Error>> {
    use futures::StreamExt;
    use kube::runtime::{WatchStreamExt, watcher};
    let config = watcher::Config::default().labels(&Plan::selector(workshop));
    let maps = watcher(Api::<ConfigMap>::all(client.clone()), config.clone())
        .default_backoff()
        .map(|event| event.map(|_| ()));
    let namespaces = watcher(Api::<Namespace>::all(client.clone()), config)
        .default_backoff()
        .map(|event| event.map(|_| ()));
    futures::stream::select(maps, namespaces).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::progress::{Failing, Running};

    fn progress(step: usize, failing_since: Option<u64>, running: bool, last: u64) -> Progress {
        Progress {
            step,
            steps: 12,
            cells: vec![],
            running: running.then(|| Running {
                id: "wait".into(),
                since: last,
            }),
            failing: failing_since.map(|since| Failing {
                id: "check".into(),
                since,
                output: "nope".into(),
            }),
            last_activity: last,
        }
    }

    #[test]
    fn stuck_idle_and_behind_follow_the_clock_and_the_instructor() {
        let now = 1_000_000_000;
        let stuck = progress(3, Some(now - 121_000), false, now - 1_000);
        let idle = progress(5, None, false, now - 301_000);
        let busy = progress(6, None, true, now - 400_000);
        let rows = vec![
            row("cy", "w-cy", Some(&stuck), now),
            row("ana", "w-ana", Some(&idle), now),
            row("teacher", "w-teacher", Some(&busy), now),
            row("bo", "w-bo", None, now),
        ];
        let room = room("w", rows, Some("teacher"));
        let by = |n: &str| room.rows.iter().find(|r| r.learner == n).unwrap().clone();
        assert_eq!(room.rows[0].learner, "ana");
        assert!(by("cy").stuck && !by("cy").idle);
        assert_eq!(by("cy").failing_secs, Some(121));
        assert!(by("ana").idle && !by("ana").stuck);
        assert!(!by("teacher").idle, "a running cell is not idle");
        assert_eq!(by("teacher").running_secs, Some(400));
        assert!(by("cy").behind && by("ana").behind && by("bo").behind);
        assert!(!by("teacher").behind);
        assert_eq!(
            room.on_step,
            BTreeMap::from([(0, 1), (3, 1), (5, 1), (6, 1)])
        );
        assert_eq!(by("bo").step, None);
    }
}
