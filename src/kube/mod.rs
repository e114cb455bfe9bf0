//! Kubernetes: the cluster safety guard and private kubeconfig ([`safety`]), the pod watcher
//! and its rows ([`pods`], [`model`]), and `kubetutor doctor` ([`doctor`]).
//! Nothing here imports ratatui; k8s types stop at this module's boundary.

pub mod access;
pub mod doctor;
pub mod kubeconfig;
pub mod model;
pub mod namespace;
pub mod pods;
pub mod portforward;
pub mod safety;
pub mod status;
pub mod terminal;
pub mod view;

pub use doctor::cli_doctor;

/// The innermost cause of an error ("Connection refused (os error 111)"), which says more than
/// kube's outer "ServiceError: client error (Connect)".
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
