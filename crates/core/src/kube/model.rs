//! Plain models of the pods pane: one [`PodRow`] per pod, the watch [`Connection`] state, and
//! the [`PodsUpdate`]s the watch task sends. k8s types are converted here and go no further.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::status;

/// One line of `kubectl get pods -o wide`, minus the node columns, plus the times AGE and
/// RESTARTS are computed from at draw time (so the pane ages without new events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub name: String,
    pub ready: u32,
    pub total: u32,
    /// kubectl's derived STATUS.
    pub status: String,
    pub restarts: u32,
    pub last_restart: Option<SystemTime>,
    pub created: Option<SystemTime>,
    pub ip: Option<String>,
}

impl PodRow {
    /// Converts a pod. `now` is the only clock read: timestamps from a cluster whose clock runs
    /// ahead of ours are clamped to `now`, so a skewed VM shows `0s`, not `<invalid>`.
    pub fn from_pod(pod: &Pod, now: SystemTime) -> Self {
        let d = status::derive(pod);
        let clamp = |t: Option<&Time>| t.and_then(to_system_time).map(|t| t.min(now));
        let ip = pod.status.as_ref().and_then(|s| {
            let first = s
                .pod_ips
                .as_ref()
                .and_then(|ips| ips.first())
                .map(|p| p.ip.clone());
            first
                .or_else(|| s.pod_ip.clone())
                .filter(|ip| !ip.is_empty())
        });
        Self {
            name: pod.metadata.name.clone().unwrap_or_default(),
            ready: d.ready,
            total: d.total,
            status: d.status,
            restarts: d.restarts,
            last_restart: clamp(d.last_restart.as_ref()),
            created: clamp(pod.metadata.creation_timestamp.as_ref()),
            ip,
        }
    }

    /// READY as kubectl prints it.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// RESTARTS as kubectl prints it: `3 (2m ago)` once there was a restart.
    pub fn restarts_text(&self, now: SystemTime) -> String {
        match self.last_restart {
            Some(at) if self.restarts > 0 => format!("{} ({} ago)", self.restarts, since(at, now)),
            _ => self.restarts.to_string(),
        }
    }

    /// AGE as kubectl prints it.
    pub fn age_text(&self, now: SystemTime) -> String {
        self.created
            .map_or_else(|| "<unknown>".to_string(), |at| since(at, now))
    }

    /// How the STATUS reads at a glance, for colouring.
    pub fn health(&self) -> Health {
        match self.status.as_str() {
            "Running" if self.ready == self.total => Health::Good,
            "Completed" | "Succeeded" => Health::Done,
            "Running" | "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating"
            | "SchedulingGated" | "NotReady" => Health::Progressing,
            s if s.starts_with("Init:") && s[5..].contains('/') => Health::Progressing,
            _ => Health::Bad,
        }
    }
}

/// Coarse meaning of a STATUS, so the widget can colour it without knowing kubectl's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Good,
    Progressing,
    Done,
    Bad,
}

fn to_system_time(t: &Time) -> Option<SystemTime> {
    let nanos = t.0.as_nanosecond();
    let nanos = u64::try_from(nanos).ok()?;
    Some(UNIX_EPOCH + Duration::from_nanos(nanos))
}

fn since(at: SystemTime, now: SystemTime) -> String {
    match now.duration_since(at) {
        Ok(d) => human_duration(d),
        Err(e) if e.duration() < Duration::from_secs(2) => "0s".to_string(),
        Err(_) => "<invalid>".to_string(),
    }
}

/// apimachinery's `duration.HumanDuration`: `45s`, `2m5s`, `17m`, `3h4m`, `9h`, `2d3h`, `30d`...
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", secs % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return with_rest(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return with_rest(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

fn with_rest(major: u64, unit: &str, minor: u64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{unit}")
    } else {
        format!("{major}{unit}{minor}{minor_unit}")
    }
}

/// The watch's link to the API server, shown as the pane's state line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Before the first list answered.
    Connecting,
    /// Trying again after a failure; `attempt` counts from the first failure.
    Reconnecting { attempt: u32 },
    /// Listed and watching: rows are live.
    Live,
    /// The watch expired (410 Gone): listing again from scratch.
    Relisting,
    /// No kubeconfig could be read (the message carries the fix).
    NoKubeconfig { message: String },
    /// The chosen context is not in the kubeconfig.
    ContextMissing { message: String },
    /// The safety guard refused the target (protected context, invalid namespace...).
    Refused { message: String },
    /// The API server did not answer; attempt `attempt` failed, next try after `retry_in`.
    Unreachable {
        attempt: u32,
        retry_in: Duration,
        error: String,
    },
    /// 401: the credentials were rejected.
    Unauthorized { attempt: u32, retry_in: Duration },
    /// 403: the user may not `verb` pods in `namespace`.
    Forbidden {
        verb: &'static str,
        namespace: String,
        attempt: u32,
        retry_in: Duration,
    },
    /// Anything else the API said, retried with backoff.
    Failed {
        attempt: u32,
        retry_in: Duration,
        error: String,
    },
}

impl Connection {
    /// The state line, e.g. `API unreachable (attempt 3, retrying in 4s): connection refused`.
    pub fn line(&self) -> String {
        let retry = |attempt: &u32, d: &Duration| {
            format!(
                "attempt {attempt}, retrying in {}",
                human_duration(round_up(*d))
            )
        };
        match self {
            Self::Connecting => "connecting to the API server...".into(),
            Self::Reconnecting { attempt } => format!("reconnecting (attempt {attempt})..."),
            Self::Live => "watching".into(),
            Self::Relisting => "watch expired (410 Gone): listing pods again".into(),
            Self::NoKubeconfig { message }
            | Self::ContextMissing { message }
            | Self::Refused { message } => message.clone(),
            Self::Unreachable {
                attempt,
                retry_in,
                error,
            } => {
                format!("API unreachable ({}): {error}", retry(attempt, retry_in))
            }
            Self::Unauthorized { attempt, retry_in } => format!(
                "401 Unauthorized: the cluster rejected the credentials; refresh them (re-login) ({})",
                retry(attempt, retry_in)
            ),
            Self::Forbidden {
                verb,
                namespace,
                attempt,
                retry_in,
            } => format!(
                "403 Forbidden: you need permission to {verb} pods in namespace {namespace} ({})",
                retry(attempt, retry_in)
            ),
            Self::Failed {
                attempt,
                retry_in,
                error,
            } => {
                format!("watch failed ({}): {error}", retry(attempt, retry_in))
            }
        }
    }

    /// Whether the rows on screen may be stale.
    pub fn is_degraded(&self) -> bool {
        !matches!(self, Self::Live)
    }
}

fn round_up(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

/// What the watch task sends to the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodsUpdate {
    /// A complete list (first list, or a re-list after an expired watch): replaces the rows.
    Listed(Vec<PodRow>),
    /// A pod was added or changed.
    Applied(PodRow),
    /// A pod is gone.
    Deleted(String),
    /// The connection state changed.
    Connection(Connection),
}

impl From<&super::safety::SafetyError> for Connection {
    /// The pane's line when the cluster target could not be prepared at all.
    fn from(err: &super::safety::SafetyError) -> Self {
        use super::safety::SafetyError as E;
        let message = err.to_string();
        match err {
            E::ContextMissing { .. } | E::NoCurrentContext { .. } => {
                Self::ContextMissing { message }
            }
            E::NoKubeconfig { .. } | E::ReadKubeconfig { .. } => Self::NoKubeconfig { message },
            _ => Self::Refused { message },
        }
    }
}
