//! One cluster session per opened lesson, shared by both front-ends (the TUI and `run`) and by
//! the engine, which consults it around every cell ([`crate::exec::CellGate`]).
//!
//! Its life, the same for every front-end:
//! 1. [`ClusterSession::start`], before the first cell: a private directory (0700) holding a
//!    *locked* kubeconfig, one whose current context does not exist, so `kubectl` and `helm`
//!    fail at once ("context was not found") instead of falling back to the user's own
//!    kubeconfig or to localhost:8080. Every cell gets `KUBECONFIG` pointing at it, re-exported
//!    before each cell whatever an earlier cell did to it. Left-overs of sessions that died
//!    without cleaning up (their pid is gone) are removed here.
//! 2. [`ClusterSession::prepare`] resolves the target (context, server, namespace, protected
//!    patterns) for the front-end to show; [`ClusterSession::confirm`], after the user said
//!    yes, swaps the confirmed single-context kubeconfig in at the same path, and
//!    [`ClusterSession::ensure_namespace`] creates the lesson namespace when absent.
//! 3. Before every cell the gate refuses code that names another kubeconfig or server or a
//!    protected context ([`crate::lesson::guard`]), checks that the private file is still what
//!    we wrote, and, once confirmed, that the user's current context and its server are still
//!    the confirmed ones. After every cell it checks the private file again. A rewritten private
//!    file is put back and the run stops.
//! 4. Dropping the last handle removes the directory and the credentials in it; the orphan
//!    watchdog removes it if we are killed, and the next start removes it if even that failed.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kube::config::Kubeconfig;

use super::kubeconfig;
use super::safety::{ClusterTarget, SafetyEnv, SafetyError, TargetRequest, check_protected};
use crate::lesson::guard::{self, EscapeKind};

/// The current context of the locked kubeconfig; kubectl prints it in its error.
pub const LOCKED_CONTEXT: &str = "kubetutor-cluster-not-confirmed-yet";
/// How long the API server gets to say whether the lesson namespace exists.
const NAMESPACE_TIMEOUT: Duration = Duration::from_secs(10);
const SESSION_PREFIX: &str = "session-";
const FILE_NAME: &str = "kubeconfig";

/// A target resolved for confirmation, with the private kubeconfig it would install.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub target: ClusterTarget,
    config: Kubeconfig,
}

/// Shared handle; cheap to clone.
#[derive(Clone)]
pub struct ClusterSession(Arc<Inner>);

struct Inner {
    env: SafetyEnv,
    request: TargetRequest,
    lesson_namespace: Option<String>,
    dir: PathBuf,
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    confirmed: Option<ClusterTarget>,
    /// The bytes we last wrote to the private file.
    written: Vec<u8>,
    /// The user's kubeconfig files as they were when last verified: unchanged files need no
    /// second parse before the next cell.
    verified_user: Option<Vec<FileStamp>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    path: PathBuf,
    meta: Option<(i64, i64, u64, u64)>,
}

impl ClusterSession {
    /// A session for a lesson whose front matter names `lesson_namespace`, reading the process
    /// environment ([`SafetyEnv::from_env`]).
    pub fn from_env(
        request: TargetRequest,
        lesson_namespace: Option<String>,
    ) -> Result<Self, SafetyError> {
        Self::start(SafetyEnv::from_env(), request, lesson_namespace)
    }

    /// Creates the private directory and the locked kubeconfig.
    pub fn start(
        env: SafetyEnv,
        request: TargetRequest,
        lesson_namespace: Option<String>,
    ) -> Result<Self, SafetyError> {
        let io_err = |source| SafetyError::WritePrivate {
            path: env.private_dir.clone(),
            source,
        };
        kubeconfig::create_private_dir(&env.private_dir).map_err(io_err)?;
        remove_stale(&env.private_dir);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SESSION_PREFIX}{}-", std::process::id()))
            .tempdir_in(&env.private_dir)
            .map_err(io_err)?
            .keep();
        crate::exec::remove_dir_at_exit(&dir);
        let path = dir.join(FILE_NAME);
        let locked = locked_config();
        let session = Self(Arc::new(Inner {
            env,
            request,
            lesson_namespace,
            dir,
            path,
            state: Mutex::new(State {
                confirmed: None,
                written: Vec::new(),
                verified_user: None,
            }),
        }));
        let mut state = session.state();
        state.written = session.write(&locked)?;
        drop(state);
        tracing::info!(kubeconfig = %session.0.path.display(), "cluster session started (locked)");
        Ok(session)
    }

    /// The private kubeconfig every cell gets as `KUBECONFIG`.
    pub fn kubeconfig_path(&self) -> &Path {
        &self.0.path
    }

    /// The variables every cell gets, re-exported before each one.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("KUBECONFIG".to_string(), self.0.path.display().to_string())]
    }

    /// Resolves the target from the user's kubeconfig: what the front-end shows for consent.
    /// Refuses protected contexts and clusters, and invalid namespaces.
    pub fn prepare(&self) -> Result<Prepared, SafetyError> {
        let inner = &self.0;
        let user = kubeconfig::read_merged(&inner.env.kubeconfig_paths)?;
        let request = &inner.request;
        let context = match request
            .context
            .as_deref()
            .or(user.current_context.as_deref())
        {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => {
                let available = kubeconfig::context_names(&user);
                return Err(SafetyError::NoCurrentContext { available });
            }
        };
        let (ctx, cluster_url) = kubeconfig::find_context(&user, &context)?;
        check_protected(&inner.env.protected, &[&context, &ctx.cluster])
            .map_err(|e| super::safety::rename_protected(e, &context))?;
        let namespace = super::namespace::resolve(
            request.namespace.as_deref(),
            inner.lesson_namespace.as_deref(),
            request.namespace_suffix.as_deref(),
        )?;
        let config = kubeconfig::private_config(&user, &context, &namespace)?;
        Ok(Prepared {
            target: ClusterTarget {
                context,
                cluster_url,
                namespace,
                kubeconfig: inner.path.clone(),
            },
            config,
        })
    }

    /// The user said yes: the confirmed kubeconfig replaces the locked one at the same path.
    pub fn confirm(&self, prepared: &Prepared) -> Result<ClusterTarget, SafetyError> {
        let mut state = self.state();
        state.written = self.write(&prepared.config)?;
        state.confirmed = Some(prepared.target.clone());
        state.verified_user = None;
        tracing::info!(target = %prepared.target.summary(), "cluster target confirmed");
        Ok(prepared.target.clone())
    }

    /// The confirmed target, once there is one.
    pub fn confirmed(&self) -> Option<ClusterTarget> {
        self.state().confirmed.clone()
    }

    /// Creates the lesson namespace when absent (call after [`Self::confirm`]); returns whether
    /// it was created.
    pub async fn ensure_namespace(&self) -> Result<bool, SafetyError> {
        let Some(target) = self.confirmed() else {
            return Ok(false);
        };
        let ensure = async { target.ensure_namespace(&target.client().await?).await };
        match tokio::time::timeout(NAMESPACE_TIMEOUT, ensure).await {
            Ok(result) => result,
            Err(_) => Err(SafetyError::Namespace {
                namespace: target.namespace.clone(),
                action: "check",
                cause: format!(
                    "the API server did not answer within {} s",
                    NAMESPACE_TIMEOUT.as_secs()
                ),
            }),
        }
    }

    /// Before a cell runs `code`: Err refuses it (blocking: reads kubeconfig files).
    pub fn check_before(&self, code: &str) -> Result<(), SafetyError> {
        let inner = &self.0;
        for escape in guard::escapes(code, inner.lesson_namespace.as_deref()) {
            match escape.kind {
                EscapeKind::Bypass => {
                    return Err(SafetyError::Escape {
                        why: escape.why,
                        help: escape.help,
                    });
                }
                EscapeKind::Context(name) => check_protected(&inner.env.protected, &[&name])?,
                EscapeKind::Namespace => {}
            }
        }
        let mut state = self.state();
        self.check_private(&mut state)?;
        let Some(target) = state.confirmed.clone() else {
            return Ok(());
        };
        let stamps = stamps(&inner.env.kubeconfig_paths);
        if state.verified_user.as_ref() == Some(&stamps) {
            return Ok(());
        }
        target.verify_user(&inner.env.kubeconfig_paths, inner.request.context.is_some())?;
        state.verified_user = Some(stamps);
        Ok(())
    }

    /// After a cell: Err when it rewrote the private kubeconfig (which is put back).
    pub fn check_after(&self) -> Result<(), SafetyError> {
        let mut state = self.state();
        self.check_private(&mut state)
    }

    /// The private file must hold what we wrote. A change that leaves every context, cluster
    /// server and namespace as they were (a credential plugin refreshing a token) is accepted;
    /// any other is undone and reported.
    fn check_private(&self, state: &mut State) -> Result<(), SafetyError> {
        let path = &self.0.path;
        let now = std::fs::read(path).ok();
        if now.as_deref() == Some(&state.written[..]) {
            return Ok(());
        }
        let parsed = now
            .as_deref()
            .and_then(|b| serde_yaml::from_slice::<Kubeconfig>(b).ok());
        let before = serde_yaml::from_slice::<Kubeconfig>(&state.written).ok();
        if let (Some(now_cfg), Some(before_cfg)) = (&parsed, &before)
            && fingerprint(now_cfg) == fingerprint(before_cfg)
        {
            state.written = now.unwrap_or_default();
            return Ok(());
        }
        let what = match (&parsed, &before) {
            (None, _) if now.is_none() => "deleted it".to_string(),
            (None, _) => "replaced it with something that is not a kubeconfig".to_string(),
            (Some(now_cfg), Some(before_cfg)) => describe_change(before_cfg, now_cfg),
            (Some(_), None) => "changed it".to_string(),
        };
        std::fs::write(path, &state.written).map_err(|source| SafetyError::WritePrivate {
            path: path.clone(),
            source,
        })?;
        tracing::warn!(%what, "a cell rewrote the private kubeconfig; restored");
        Err(SafetyError::PrivateRewritten { what })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written: every field is
        // replaced whole.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `config` to the private path atomically (mode 0600); returns the bytes written.
    fn write(&self, config: &Kubeconfig) -> Result<Vec<u8>, SafetyError> {
        let path = &self.0.path;
        let io_err = |source| SafetyError::WritePrivate {
            path: path.clone(),
            source,
        };
        let yaml = serde_yaml::to_string(config).map_err(|e| io_err(std::io::Error::other(e)))?;
        kubeconfig::write_atomic(&self.0.dir, path, yaml.as_bytes()).map_err(io_err)?;
        Ok(yaml.into_bytes())
    }
}

impl ClusterSession {
    /// Removes the private kubeconfig now (the front-end is leaving); cells that might still
    /// run find no kubeconfig. Dropping the last handle does the same.
    pub fn end(&self) {
        self.0.remove();
    }
}

impl Inner {
    fn remove(&self) {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), %e, "cannot remove the private kubeconfig")
            }
        }
        crate::exec::forget_dir_at_exit(&self.dir);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.remove();
    }
}

impl crate::exec::CellGate for ClusterSession {
    fn pinned_env(&self) -> Vec<(String, String)> {
        self.env()
    }

    fn before(&self, code: &str) -> Result<(), String> {
        self.check_before(code).map_err(|e| e.to_string())
    }

    fn after(&self) -> Result<(), String> {
        self.check_after().map_err(|e| e.to_string())
    }
}

/// A kubeconfig no client can use: its current context does not exist, and it names no
/// cluster, so nothing falls back to another server.
fn locked_config() -> Kubeconfig {
    Kubeconfig {
        current_context: Some(LOCKED_CONTEXT.to_string()),
        kind: Some("Config".to_string()),
        api_version: Some("v1".to_string()),
        ..Default::default()
    }
}

/// What decides where a client goes: current context; each context's cluster, user and
/// namespace; each cluster's server.
fn fingerprint(config: &Kubeconfig) -> Vec<String> {
    let mut out = vec![format!("current={:?}", config.current_context)];
    for c in &config.contexts {
        let ctx = c.context.as_ref();
        out.push(format!(
            "context {} cluster={:?} user={:?} ns={:?}",
            c.name,
            ctx.map(|x| &x.cluster),
            ctx.and_then(|x| x.user.as_ref()),
            ctx.and_then(|x| x.namespace.as_ref())
        ));
    }
    for c in &config.clusters {
        let cluster = c.cluster.as_ref();
        out.push(format!(
            "cluster {} server={:?} proxy={:?}",
            c.name,
            cluster.and_then(|x| x.server.as_ref()),
            cluster.and_then(|x| x.proxy_url.as_ref())
        ));
    }
    let mut users: Vec<&str> = config.auth_infos.iter().map(|a| a.name.as_str()).collect();
    users.sort_unstable();
    out.push(format!("users={users:?}"));
    out
}

fn describe_change(before: &Kubeconfig, now: &Kubeconfig) -> String {
    if before.current_context != now.current_context {
        return format!(
            "switched it to context \"{}\"",
            now.current_context.as_deref().unwrap_or("")
        );
    }
    let servers = |c: &Kubeconfig| -> Vec<String> {
        c.clusters
            .iter()
            .filter_map(|c| c.cluster.as_ref()?.server.clone())
            .collect()
    };
    let (was, is) = (servers(before), servers(now));
    if was != is {
        return format!(
            "pointed it at server {} instead of {}",
            is.join(", "),
            was.join(", ")
        );
    }
    "changed its contexts, namespace or users".to_string()
}

fn stamps(paths: &[PathBuf]) -> Vec<FileStamp> {
    paths
        .iter()
        .map(|path| FileStamp {
            path: path.clone(),
            meta: std::fs::metadata(path)
                .ok()
                .map(|m| (m.mtime(), m.mtime_nsec(), m.size(), m.ino())),
        })
        .collect()
}

/// Removes session directories whose process is gone (a crash, SIGKILL before the watchdog
/// ran), and loose private kubeconfigs that older versions left behind.
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(rest) = name.strip_prefix(SESSION_PREFIX) {
            let pid = rest.split('-').next().and_then(|p| p.parse::<i32>().ok());
            if pid.is_some_and(|p| !process_alive(p)) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        } else if name.starts_with("kubeconfig-") && name.ends_with(".yaml") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn process_alive(pid: i32) -> bool {
    use nix::errno::Errno;
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) => true,
        Err(Errno::ESRCH) => false,
        Err(_) => true,
    }
}
