//! Workshops: one namespace, ServiceAccount, RBAC, quota and kubeconfig per learner, all kept on
//! the cluster itself (labels are the only bookkeeping, so any instructor machine can list or
//! delete a workshop).
//! - [`plan`]: the objects of a workshop, pure (no cluster), unit-tested;
//! - [`apply`]: server-side apply of a plan, the bound tokens, `delete` and `list`;
//! - [`progress`]: a learner's snapshot and its debounced writer; [`status`]: the room's rows;
//! - [`rules`]: a learner's Role from what the lesson's kubectl commands and panes do;
//! - [`credentials`]: a learner's kubeconfig from the instructor's cluster entry and a token.

pub mod apply;
pub mod credentials;
pub mod instructor;
pub mod plan;
pub mod progress;
pub mod rules;
pub mod status;

pub use instructor::Instructor;
pub use plan::{LABEL_LEARNER, LABEL_LESSON, LABEL_WORKSHOP, Plan, WorkshopSpec};

/// Errors of workshop commands; each says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum WorkshopError {
    #[error("invalid {what} \"{value}\": {reason}")]
    InvalidName {
        what: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("{path}: no learner names in it (one name a line; '#' starts a comment)")]
    NoNames { path: std::path::PathBuf },
    #[error("learner \"{0}\" is listed twice")]
    DuplicateLearner(String),
    #[error("cannot {action} {kind} {name}: {reason}")]
    Api {
        action: &'static str,
        kind: &'static str,
        name: String,
        reason: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Cluster(String),
    #[error(transparent)]
    Safety(#[from] crate::kube::safety::SafetyError),
}
