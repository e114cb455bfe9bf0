//! Cluster safety: which context, cluster and namespace a lesson's commands reach, the
//! protected-context rule, and the errors the gate reports. The session that applies them to
//! every cell of both front-ends is [`super::session::ClusterSession`].

use std::path::PathBuf;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::{kubeconfig, namespace};

/// Environment variable with comma-separated glob patterns of protected contexts.
pub const PROTECTED_ENV: &str = "KUBETUTOR_PROTECTED_CONTEXTS";
/// Used when [`PROTECTED_ENV`] is unset.
pub const DEFAULT_PROTECTED: &str = "*prod*";

/// Why a lesson may not run against the cluster, each with the fix in the message.
#[derive(Debug, thiserror::Error)]
pub enum SafetyError {
    #[error("no kubeconfig found (looked in: {}); create one (kind, minikube or scripts/cluster write it) or set KUBECONFIG, then run `kubetutor doctor`", show_paths(.searched))]
    NoKubeconfig { searched: Vec<PathBuf> },
    #[error("cannot read kubeconfig {}: {source}; fix the file or point KUBECONFIG elsewhere, then run `kubetutor doctor`", .path.display())]
    ReadKubeconfig {
        path: PathBuf,
        source: kube::config::KubeconfigError,
    },
    #[error("the kubeconfig has no current context; choose one with --context NAME (available: {})", show_list(.available))]
    NoCurrentContext { available: Vec<String> },
    #[error("context \"{context}\" is not in the kubeconfig; available: {}; pass one with --context NAME", show_list(.available))]
    ContextMissing {
        context: String,
        available: Vec<String>,
    },
    #[error(
        "context \"{context}\" names cluster \"{cluster}\", which is missing or has no server URL in the kubeconfig"
    )]
    ClusterMissing { context: String, cluster: String },
    #[error(
        "context \"{context}\" matches the protected pattern \"{pattern}\": lessons never run there. Choose another with --context NAME, or if this cluster is disposable set {PROTECTED_ENV} to patterns that do not match it (e.g. {PROTECTED_ENV}='*production*')"
    )]
    Protected { context: String, pattern: String },
    #[error("invalid protected-context pattern \"{pattern}\" in {PROTECTED_ENV}: {source}")]
    BadPattern {
        pattern: String,
        source: globset::Error,
    },
    #[error(
        "namespace \"{namespace}\" {reason}; choose another with --namespace or --namespace-suffix"
    )]
    InvalidNamespace {
        namespace: String,
        reason: &'static str,
    },
    #[error("cannot write the private kubeconfig in {}: {source}", .path.display())]
    WritePrivate {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the current context changed from \"{confirmed}\" to \"{now}\" during the lesson, so execution stopped; switch back with `kubectl config use-context {confirmed}` or reopen the lesson to confirm the new one"
    )]
    ContextChanged { confirmed: String, now: String },
    #[error(
        "context \"{context}\" now points at {now} instead of the confirmed {confirmed}, so execution stopped; reopen the lesson to confirm the new cluster"
    )]
    ClusterChanged {
        context: String,
        confirmed: String,
        now: String,
    },
    #[error(
        "a cell rewrote the lesson's private kubeconfig ({what}), so execution stopped; kubetutor put the confirmed one back. Lessons must not change the kubeconfig: pass --context or --namespace to kubetutor instead"
    )]
    PrivateRewritten { what: String },
    #[error("refused: this cell {why}; {help}")]
    Escape { why: String, help: &'static str },
    #[error(
        "cannot build a Kubernetes client for context \"{context}\": {reason}; run `kubetutor doctor`"
    )]
    Client { context: String, reason: String },
    #[error(
        "cannot {action} namespace \"{namespace}\": {cause}; run `kubetutor doctor` to check access"
    )]
    Namespace {
        namespace: String,
        action: &'static str,
        /// The innermost cause only: kube's own chain repeats "client error (Connect)", and a
        /// `source` here would make anyhow print it all a second time.
        cause: String,
    },
}

fn show_paths(paths: &[PathBuf]) -> String {
    show_list(
        &paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>(),
    )
}

fn show_list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The cluster a lesson runs against, as confirmed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterTarget {
    pub context: String,
    pub cluster_url: String,
    pub namespace: String,
    /// The private kubeconfig (mode 0600) holding only `context`, namespace set.
    pub kubeconfig: PathBuf,
}

/// What [`prepare`] reads from the process environment, made explicit for tests.
#[derive(Debug, Clone)]
pub struct SafetyEnv {
    pub kubeconfig_paths: Vec<PathBuf>,
    pub protected: Vec<String>,
    pub private_dir: PathBuf,
}

impl SafetyEnv {
    /// `KUBECONFIG` (or `~/.kube/config`), [`PROTECTED_ENV`] (default `*prod*`; set it empty
    /// to protect nothing) and the runtime dir.
    pub fn from_env() -> Self {
        let protected = std::env::var(PROTECTED_ENV).unwrap_or_else(|_| DEFAULT_PROTECTED.into());
        Self {
            kubeconfig_paths: kubeconfig::user_kubeconfig_paths(),
            protected: split_patterns(&protected),
            private_dir: kubeconfig::default_private_dir(),
        }
    }
}

fn split_patterns(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

/// What the user asked for on the command line: `--context`, `--namespace`,
/// `--namespace-suffix` (the front-ends fill it from their arguments).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetRequest {
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub namespace_suffix: Option<String>,
}

/// Refuses when any of `names` (context, its cluster) matches a protected pattern.
/// Patterns are case-insensitive globs: `*prod*` also catches `PROD-eu`.
pub fn check_protected(patterns: &[String], names: &[&str]) -> Result<(), SafetyError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|source| SafetyError::BadPattern {
                pattern: pattern.clone(),
                source,
            })?;
        builder.add(glob);
    }
    let set: GlobSet = builder.build().map_err(|source| SafetyError::BadPattern {
        pattern: patterns.join(","),
        source,
    })?;
    for name in names {
        if let Some(&i) = set.matches(name).first() {
            return Err(SafetyError::Protected {
                context: (*name).to_string(),
                pattern: patterns[i].clone(),
            });
        }
    }
    Ok(())
}

/// A match on the cluster name is still reported under the context the user chose.
pub(crate) fn rename_protected(err: SafetyError, context: &str) -> SafetyError {
    match err {
        SafetyError::Protected {
            context: matched,
            pattern,
        } if matched != context => SafetyError::Protected {
            context: format!("{context}\" (cluster \"{matched}"),
            pattern,
        },
        other => other,
    }
}

impl ClusterTarget {
    /// One line for the first-run confirmation and the status bar.
    pub fn summary(&self) -> String {
        format!(
            "context {}, cluster {}, namespace {}",
            self.context, self.cluster_url, self.namespace
        )
    }

    /// Errs when the user's current context moved away from the confirmed one (unless the
    /// context was `pinned` with `--context`), or when the context now names another server.
    pub fn verify_user(&self, user_paths: &[PathBuf], pinned: bool) -> Result<(), SafetyError> {
        let user = kubeconfig::read_merged(user_paths)?;
        if !pinned {
            let now = user.current_context.clone().unwrap_or_default();
            if now != self.context {
                return Err(SafetyError::ContextChanged {
                    confirmed: self.context.clone(),
                    now,
                });
            }
        }
        let (_, server) = kubeconfig::find_context(&user, &self.context)?;
        if server != self.cluster_url {
            return Err(SafetyError::ClusterChanged {
                context: self.context.clone(),
                confirmed: self.cluster_url.clone(),
                now: server,
            });
        }
        Ok(())
    }

    /// A client for the private kubeconfig (the confirmed context, lesson namespace).
    pub async fn client(&self) -> Result<kube::Client, SafetyError> {
        let err = |reason: String| SafetyError::Client {
            context: self.context.clone(),
            reason,
        };
        let config = kube::config::Kubeconfig::read_from(&self.kubeconfig)
            .map_err(|e| err(e.to_string()))?;
        let options = kube::config::KubeConfigOptions::default();
        let config = kube::Config::from_custom_kubeconfig(config, &options)
            .await
            .map_err(|e| err(e.to_string()))?;
        kube::Client::try_from(config).map_err(|e| err(e.to_string()))
    }

    /// Whether the lesson namespace exists; ask the user before [`Self::ensure_namespace`].
    pub async fn namespace_exists(&self, client: &kube::Client) -> Result<bool, SafetyError> {
        namespace::exists(client, &self.namespace).await
    }

    /// Creates the lesson namespace when absent; returns whether it was created.
    pub async fn ensure_namespace(&self, client: &kube::Client) -> Result<bool, SafetyError> {
        if self.namespace_exists(client).await? {
            return Ok(false);
        }
        namespace::create(client, &self.namespace).await?;
        Ok(true)
    }
}
