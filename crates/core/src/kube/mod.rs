//! Kubernetes, with k8s types stopping at this module's boundary and no ratatui:
//! - [`session`]: the one cluster session of an opened lesson (locked, then confirmed private
//!   kubeconfig, the gate around every cell); [`safety`]: the target, protected contexts and
//!   their errors, the private kubeconfig ([`kubeconfig`]) and the lesson namespace ([`namespace`]);
//! - [`pods`]: the pod watch task, turning kube-rs watcher events into [`model`] rows
//!   (kubectl's STATUS from [`status`]) that the app's `PodsView` folds for the pods pane;
//! - [`doctor`]: the tool and cluster checks of `kubetutor doctor` (with [`access`], [`nodes`]);
//! - `portforward` and [`endpoints`]: the sentinel pane's way into the cluster (owned by the
//!   sentinel module).

pub mod access;
pub mod doctor;
pub mod endpoints;
pub mod events;
pub mod kubeconfig;
pub mod model;
pub mod namespace;
pub mod nodes;
pub mod pods;
pub mod portforward;
pub mod safety;
pub mod session;
pub mod status;

/// The innermost cause of an error ("Connection refused (os error 111)"), which says more than
/// kube's outer "ServiceError: client error (Connect)".
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
