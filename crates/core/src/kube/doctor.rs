//! `kubetutor doctor [LESSON]`: one line per check with a verdict and the fix, answering within
//! five seconds even when the API server never replies. Exits non-zero when a required check
//! fails (kubectl, kubeconfig, context, namespace, API, RBAC, tools the lesson requires).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::time::Instant;

use super::safety::{SafetyEnv, SafetyError, TargetRequest, check_protected};
use super::{access, kubeconfig, namespace};

/// The whole doctor answers within this.
pub const DEADLINE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub verdict: Verdict,
    pub detail: String,
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: &'static str, detail: String) -> Self {
        Self {
            name,
            verdict: Verdict::Ok,
            detail,
            fix: None,
        }
    }
    pub fn warn(name: &'static str, detail: String, fix: &str) -> Self {
        Self {
            name,
            verdict: Verdict::Warn,
            detail,
            fix: Some(fix.to_string()),
        }
    }
    pub fn fail(name: &'static str, detail: String, fix: &str) -> Self {
        Self {
            name,
            verdict: Verdict::Fail,
            detail,
            fix: Some(fix.to_string()),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match self.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
        };
        write!(f, "{verdict:<4}  {:<10} {}", self.name, self.detail)?;
        match &self.fix {
            Some(fix) => write!(f, "; fix: {fix}"),
            None => Ok(()),
        }
    }
}

/// What the doctor looks at.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The cluster part of the command line (`--context`, `--namespace`, `--namespace-suffix`).
    pub target: TargetRequest,
    pub env: SafetyEnv,
    /// Front matter namespace of the lesson, if one was given.
    pub lesson_namespace: Option<String>,
    /// Programs the lesson requires (front matter `requires`).
    pub requires: Vec<String>,
    pub deadline: Duration,
}

/// Runs every check of the tools and the cluster; the cluster ones stop at `inputs.deadline`.
/// (The terminal checks belong to the front-end that prints the report.)
pub async fn run(inputs: &Inputs) -> Vec<Check> {
    let deadline = Instant::now() + inputs.deadline;
    let (tools, cluster) =
        tokio::join!(tools(&inputs.requires, deadline), cluster(inputs, deadline));
    let mut out = tools;
    out.extend(cluster);
    out
}

async fn tools(requires: &[String], deadline: Instant) -> Vec<Check> {
    let mut out = vec![kubectl(deadline).await];
    let redis_required = requires.iter().any(|r| r == "redis-cli");
    out.push(match which("redis-cli") {
        Some(path) => Check::ok("redis-cli", path.display().to_string()),
        None if redis_required => Check::fail(
            "redis-cli",
            "not on PATH; this lesson requires it".into(),
            INSTALL_REDIS,
        ),
        None => Check::warn(
            "redis-cli",
            "not on PATH; Redis lessons need it".into(),
            INSTALL_REDIS,
        ),
    });
    for tool in requires
        .iter()
        .filter(|r| *r != "kubectl" && *r != "redis-cli")
    {
        out.push(match which(tool) {
            Some(path) => Check::ok("requires", format!("{tool}: {}", path.display())),
            None => Check::fail(
                "requires",
                format!("{tool} is not on PATH; the lesson requires it"),
                &format!("install {tool}"),
            ),
        });
    }
    out
}

const INSTALL_REDIS: &str = "install redis-tools (apt) or redis (brew)";

async fn kubectl(deadline: Instant) -> Check {
    let Some(path) = which("kubectl") else {
        return Check::fail(
            "kubectl",
            "not on PATH".into(),
            "install kubectl: https://kubernetes.io/docs/tasks/tools/",
        );
    };
    let mut cmd = tokio::process::Command::new(&path);
    cmd.args(["version", "--client", "-o", "json"])
        .kill_on_drop(true);
    let version = match tokio::time::timeout_at(deadline, cmd.output()).await {
        Ok(Ok(out)) if out.status.success() => client_version(&out.stdout),
        _ => None,
    };
    match version {
        Some(v) => Check::ok("kubectl", format!("{v} ({})", path.display())),
        None => Check::warn(
            "kubectl",
            format!("{} does not report its version", path.display()),
            "reinstall kubectl",
        ),
    }
}

fn client_version(json: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    v["clientVersion"]["gitVersion"].as_str().map(String::from)
}

/// The first executable named `program` on PATH.
pub use crate::paths::which;

/// kubeconfig, context, namespace, then the API checks.
async fn cluster(inputs: &Inputs, deadline: Instant) -> Vec<Check> {
    let mut out = Vec::new();
    let user = match kubeconfig::read_merged(&inputs.env.kubeconfig_paths) {
        Ok(user) => {
            out.push(Check::ok(
                "kubeconfig",
                show_paths(&inputs.env.kubeconfig_paths),
            ));
            user
        }
        Err(err) => {
            out.push(fail_safety("kubeconfig", &err));
            return out;
        }
    };
    let Some((context, server)) = context(inputs, &user, &mut out) else {
        return out;
    };
    let ns = namespace::resolve(
        inputs.target.namespace.as_deref(),
        inputs.lesson_namespace.as_deref(),
        inputs.target.namespace_suffix.as_deref(),
    );
    let ns = match ns {
        Ok(ns) => ns,
        Err(err) => {
            out.push(fail_safety("namespace", &err));
            return out;
        }
    };
    match client(user, &context).await {
        Ok(client) => out
            .extend(access::cluster_checks(&client, &server, &ns, deadline, inputs.deadline).await),
        Err(err) => out.push(Check::fail(
            "api",
            format!("cannot use context {context}: {err}"),
            "fix the context's cluster and user entries",
        )),
    }
    out
}

fn context(inputs: &Inputs, user: &Kubeconfig, out: &mut Vec<Check>) -> Option<(String, String)> {
    let name = inputs
        .target
        .context
        .clone()
        .or_else(|| user.current_context.clone());
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        let err = SafetyError::NoCurrentContext {
            available: kubeconfig::context_names(user),
        };
        out.push(fail_safety("context", &err));
        return None;
    };
    let (ctx, server) = match kubeconfig::find_context(user, &name) {
        Ok(found) => found,
        Err(err) => {
            out.push(fail_safety("context", &err));
            return None;
        }
    };
    if let Err(err) = check_protected(&inputs.env.protected, &[&name, &ctx.cluster]) {
        out.push(fail_safety("context", &err));
        return None;
    }
    out.push(Check::ok("context", format!("{name} ({server})")));
    Some((name, server))
}

async fn client(user: Kubeconfig, context: &str) -> Result<kube::Client, String> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(user, &options)
        .await
        .map_err(|e| e.to_string())?;
    config.connect_timeout = Some(DEADLINE);
    config.read_timeout = Some(DEADLINE);
    kube::Client::try_from(config).map_err(|e| e.to_string())
}

/// A safety error already says what to do; it becomes the detail and the fix is implied.
fn fail_safety(name: &'static str, err: &SafetyError) -> Check {
    Check {
        name,
        verdict: Verdict::Fail,
        detail: err.to_string(),
        fix: None,
    }
}

fn show_paths(paths: &[PathBuf]) -> String {
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| Path::is_file(p))
        .map(|p| p.display().to_string())
        .collect();
    existing.join(", ")
}
