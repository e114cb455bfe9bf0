//! kubectl's derived pod status, ported from `printPod` in kubernetes
//! `pkg/printers/internalversion/printers.go` (v1.34), so the pane says what `kubectl get pods`
//! says: `ContainerCreating`, `Init:1/2`, `CrashLoopBackOff`, `Terminating`, `Completed`, ...

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// `Pod.status.reason` for pods on a node that stopped answering.
const NODE_UNREACHABLE: &str = "NodeLost";

/// What `printPod` derives: READY counts, STATUS, restarts and the newest restart time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub ready: u32,
    pub total: u32,
    pub status: String,
    pub restarts: u32,
    pub last_restart: Option<Time>,
}

/// Derives the status columns of one pod exactly as kubectl does.
pub fn derive(pod: &Pod) -> Derived {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let conditions: &[PodCondition] = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("");
    let mut reason = match status.and_then(|s| s.reason.as_deref()) {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => phase.to_string(),
    };
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }

    let init_specs: &[Container] = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or(&[]);
    let init_by_name: HashMap<&str, &Container> =
        init_specs.iter().map(|c| (c.name.as_str(), c)).collect();
    let restartable = |name: &str| init_by_name.get(name).is_some_and(|c| is_sidecar(c));
    let mut total = spec.map_or(0, |s| s.containers.len()) as u32;
    total += init_specs.iter().filter(|c| is_sidecar(c)).count() as u32;

    let mut ready = 0u32;
    let mut restarts = 0u32;
    let mut last_restart: Option<Time> = None;
    let mut sidecar_restarts = 0u32;
    let mut sidecar_last_restart: Option<Time> = None;
    let mut initializing = false;

    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    for (i, c) in init_statuses.iter().enumerate() {
        restarts += non_negative(c.restart_count);
        newer(&mut last_restart, last_termination(c));
        if restartable(&c.name) {
            sidecar_restarts += non_negative(c.restart_count);
            newer(&mut sidecar_last_restart, last_termination(c));
        }
        let state = c.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable(&c.name) && c.started == Some(true) {
            if c.ready {
                ready += 1;
            }
            continue;
        }
        reason = if let Some(t) = terminated {
            match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(sig) => format!("Init:Signal:{sig}"),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                },
            }
        } else if let Some(r) = waiting_reason.filter(|r| *r != "PodInitializing") {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }

    if !initializing || condition_true(conditions, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = sidecar_last_restart;
        let mut has_running = false;
        let statuses = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[]);
        for c in statuses.iter().rev() {
            restarts += non_negative(c.restart_count);
            newer(&mut last_restart, last_termination(c));
            let state = c.state.as_ref();
            let waiting = state.and_then(|s| s.waiting.as_ref());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting
                .and_then(|w| w.reason.as_deref())
                .filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                reason = match (t.reason.as_deref().filter(|r| !r.is_empty()), t.signal) {
                    (Some(r), _) => r.to_string(),
                    (None, Some(sig)) if sig != 0 => format!("Signal:{sig}"),
                    (None, _) => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(conditions, "Ready") {
                "Running"
            } else {
                "NotReady"
            }
            .into();
        }
    }

    let deleting = pod.metadata.deletion_timestamp.is_some();
    let node_lost = status.and_then(|s| s.reason.as_deref()) == Some(NODE_UNREACHABLE);
    if deleting && node_lost {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }
    Derived {
        ready,
        total,
        status: reason,
        restarts,
        last_restart,
    }
}

/// A restartable init container (`restartPolicy: Always`), i.e. a native sidecar.
fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

fn condition_true(conditions: &[PodCondition], type_: &str) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == type_ && c.status == "True")
}

fn last_termination(c: &ContainerStatus) -> Option<&Time> {
    c.last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
}

fn newer(slot: &mut Option<Time>, candidate: Option<&Time>) {
    if let Some(t) = candidate
        && slot.as_ref().is_none_or(|cur| cur < t)
    {
        *slot = Some(t.clone());
    }
}

fn non_negative(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}
