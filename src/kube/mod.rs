//! Kubernetes: the cluster safety guard and private kubeconfig ([`safety`]), the pod watcher
//! and its rows ([`pods`], [`model`]), and `kubetutor doctor` ([`doctor`]).
//! Nothing here imports ratatui; k8s types stop at this module's boundary.

pub mod kubeconfig;
pub mod model;
pub mod namespace;
pub mod pods;
pub mod portforward;
pub mod safety;
pub mod status;
pub mod view;

/// `kubetutor doctor`.
pub fn cli_doctor(_args: crate::cli::DoctorArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`doctor` is not yet available")
}
