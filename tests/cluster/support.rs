//! Shared plumbing for the cluster tests: which cluster, kubectl, the kubetutor binary, a
//! throw-away namespace per test, and polling.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The bundled Kubernetes lesson these tests drive.
pub const LESSON: &str = "lessons/redis-sentinel-k8s";

/// The cluster under test. Tests are `#[ignore]`d; running them without a cluster is a mistake
/// worth a loud failure, not a silent pass.
pub fn kubeconfig() -> PathBuf {
    match std::env::var_os("KUBETUTOR_E2E_KUBECONFIG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "KUBETUTOR_E2E_KUBECONFIG is not set: run scripts/e2e-cluster, or point it at a \
             disposable cluster (kind, minikube) and run `cargo test --test cluster -- --ignored`"
        ),
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `kubectl` from PATH (scripts/e2e-cluster puts the one built with the cluster first).
pub fn kubectl_with(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("kubectl must be on PATH")
}

pub fn kubectl(args: &[&str]) -> Output {
    kubectl_with(&kubeconfig(), args)
}

/// kubectl that must succeed; returns trimmed stdout.
pub fn kubectl_ok(args: &[&str]) -> String {
    let out = kubectl(args);
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_string()
}

/// The kubetutor binary with the cluster's kubeconfig and an isolated HOME/XDG state, so saved
/// progress or a user's config never leaks into a test.
pub fn kubetutor(kubeconfig: &Path, state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubetutor"));
    cmd.current_dir(repo_root())
        .env("KUBECONFIG", kubeconfig)
        .env("XDG_STATE_HOME", state.join("state"))
        .env("XDG_CONFIG_HOME", state.join("config"))
        .env("XDG_CACHE_HOME", state.join("cache"))
        .env("NO_COLOR", "1")
        .env_remove("KUBETUTOR_PROTECTED_CONTEXTS");
    cmd
}

/// `kubetutor run LESSON --yes --namespace NS [extra...]` with a fresh state: whether it
/// passed, its stdout, and both outputs for an assertion message.
pub fn run_lesson(lesson: &Path, ns: &str, extra: &[&str]) -> (bool, String, String) {
    let state = tempfile::tempdir().expect("tempdir");
    let out = kubetutor(&kubeconfig(), state.path())
        .args(["run", &lesson.display().to_string()])
        .args(extra)
        .args(["--yes", "--namespace", ns])
        .output()
        .expect("run kubetutor");
    let stdout = text(&out.stdout);
    let report = format!("stdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    (out.status.success(), stdout, report)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Polls `f` until it returns Some, or panics with the last observation.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match f() {
            Ok(v) => return v,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out after {timeout:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// A namespace unique to one test, deleted (without waiting) when the test ends.
pub struct TestNamespace {
    pub name: String,
}

impl TestNamespace {
    /// Only reserves the name: the code under test is what creates the namespace.
    pub fn reserve(tag: &str) -> Self {
        let name = format!("kubetutor-e2e-{tag}-{}", std::process::id());
        let _ = kubectl(&[
            "delete",
            "namespace",
            &name,
            "--ignore-not-found",
            "--wait=true",
        ]);
        TestNamespace { name }
    }

    pub fn exists(&self) -> bool {
        kubectl(&["get", "namespace", &self.name]).status.success()
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "delete",
            "namespace",
            &self.name,
            "--ignore-not-found",
            "--wait=false",
        ]);
    }
}

/// A copy of the cluster's kubeconfig in `dir`, for tests that rename contexts or break servers
/// without touching the real one.
pub fn kubeconfig_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("kubeconfig");
    std::fs::copy(kubeconfig(), &copy).expect("copy kubeconfig");
    copy
}

pub fn current_context(kubeconfig: &Path) -> String {
    let out = kubectl_with(kubeconfig, &["config", "current-context"]);
    assert!(
        out.status.success(),
        "no current context in {}",
        kubeconfig.display()
    );
    text(&out.stdout).trim().to_string()
}

/// Whether the cluster under test runs pods for real (kubelet and containers) rather than on
/// KWOK's simulated node. `scripts/cluster exec` sets `KUBETUTOR_CLUSTER_NODE_KIND`; against
/// kind or minikube set it to `real` yourself.
pub fn real_node() -> bool {
    std::env::var("KUBETUTOR_CLUSTER_NODE_KIND").is_ok_and(|k| k == "real")
}

/// For a test only a real node can run: true when there is one. Otherwise it says so loudly and
/// returns false, or fails under CI (CI's machine must run a real node).
pub fn needs_real_node(test: &str) -> bool {
    if real_node() {
        return true;
    }
    let kind = std::env::var("KUBETUTOR_CLUSTER_NODE_KIND").unwrap_or_else(|_| "unset".into());
    let msg = format!(
        "{test}: NOT RUN: the cluster has no real node (KUBETUTOR_CLUSTER_NODE_KIND={kind}); \
         `scripts/cluster up` as root starts one"
    );
    assert!(std::env::var_os("CI").is_none(), "{msg}; CI must run it");
    eprintln!("*** {msg}");
    false
}

/// `kubetutor run` must not skip container cells on a real node; on KWOK it skips them.
pub fn skip_needs_for_this_node(cmd: &mut Command) -> &mut Command {
    if real_node() {
        cmd.env_remove("KUBETUTOR_SKIP_NEEDS")
    } else {
        cmd.env("KUBETUTOR_SKIP_NEEDS", "containers")
    }
}
