use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kubetutor::cli::LessonArgs;
use kubetutor::kube::safety::{ClusterTarget, SafetyEnv, SafetyError, check_protected};
use kubetutor::kube::session::{ClusterSession, LOCKED_CONTEXT};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/kube/kubeconfig.yaml"
);

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(FIXTURE, dir.path().join("config")).expect("copy fixture");
        Self { dir }
    }

    fn user_config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn env(&self) -> SafetyEnv {
        SafetyEnv {
            kubeconfig_paths: vec![self.user_config()],
            protected: vec!["*prod*".into()],
            private_dir: self.dir.path().join("private"),
        }
    }

    /// A session started, prepared and confirmed, as a front-end does after a yes.
    fn prepare(&self, ns: Option<&str>, args: LessonArgs) -> Result<Confirmed, SafetyError> {
        let session =
            ClusterSession::start(self.env(), args.target_request(), ns.map(String::from))?;
        let target = session.confirm(&session.prepare()?)?;
        Ok(Confirmed { session, target })
    }

    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.user_config()).expect("read");
        assert!(text.contains(from), "fixture lacks {from}");
        std::fs::write(self.user_config(), text.replacen(from, to, 1)).expect("write");
    }
}

struct Confirmed {
    session: ClusterSession,
    target: ClusterTarget,
}

impl std::fmt::Debug for Confirmed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.target.fmt(f)
    }
}

impl std::ops::Deref for Confirmed {
    type Target = ClusterTarget;
    fn deref(&self) -> &ClusterTarget {
        &self.target
    }
}

fn args(context: Option<&str>) -> LessonArgs {
    LessonArgs {
        context: context.map(String::from),
        ..Default::default()
    }
}

fn private(target: &ClusterTarget) -> kube::config::Kubeconfig {
    kube::config::Kubeconfig::read_from(&target.kubeconfig).expect("private kubeconfig parses")
}

#[test]
fn current_context_and_lesson_namespace_make_a_private_kubeconfig() {
    let sb = Sandbox::new();
    let target = sb
        .prepare(Some("kubetutor-redis"), args(None))
        .expect("prepare");
    assert_eq!(target.context, "kind-dev");
    assert_eq!(target.cluster_url, "https://127.0.0.1:6443");
    assert_eq!(target.namespace, "kubetutor-redis");
    assert_eq!(
        target.session.env(),
        vec![("KUBECONFIG".into(), target.kubeconfig.display().to_string())]
    );

    let mode = std::fs::metadata(&target.kubeconfig)
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let cfg = private(&target);
    assert_eq!(cfg.current_context.as_deref(), Some("kind-dev"));
    assert_eq!(
        cfg.contexts.len(),
        1,
        "only the confirmed context is copied"
    );
    assert_eq!(cfg.clusters.len(), 1);
    assert_eq!(cfg.auth_infos.len(), 1);
    let ctx = cfg.contexts[0].context.as_ref().expect("context");
    assert_eq!(ctx.namespace.as_deref(), Some("kubetutor-redis"));
    // The relative CA path was made absolute, so the copy works from another directory.
    let ca = cfg.clusters[0]
        .cluster
        .as_ref()
        .and_then(|c| c.certificate_authority.clone());
    assert_eq!(
        ca.map(PathBuf::from),
        Some(sb.dir.path().join("certs/ca.crt"))
    );
}

#[test]
fn flags_pick_context_namespace_and_workshop_suffix() {
    let sb = Sandbox::new();
    let args = LessonArgs {
        context: Some("staging".into()),
        namespace: Some("demo".into()),
        namespace_suffix: Some("Alice".into()),
        ..Default::default()
    };
    let target = sb.prepare(Some("kubetutor-redis"), args).expect("prepare");
    assert_eq!(target.context, "staging");
    assert_eq!(target.cluster_url, "https://10.0.0.1:6443");
    assert_eq!(target.namespace, "demo-alice");
    let cfg = private(&target);
    assert_eq!(cfg.auth_infos[0].name, "bob");
}

#[test]
fn no_lesson_namespace_means_default() {
    let target = Sandbox::new().prepare(None, args(None)).expect("prepare");
    assert_eq!(target.namespace, "default");
}

#[test]
fn protected_contexts_refuse_with_the_override() {
    let sb = Sandbox::new();
    let err = sb
        .prepare(None, args(Some("prod-eu")))
        .expect_err("protected");
    assert!(matches!(err, SafetyError::Protected { ref pattern, .. } if pattern == "*prod*"));
    let msg = err.to_string();
    assert!(
        msg.contains("prod-eu") && msg.contains("KUBETUTOR_PROTECTED_CONTEXTS"),
        "{msg}"
    );
    // A harmless context name on a production cluster is caught through the cluster name.
    let err = sb
        .prepare(None, args(Some("innocent")))
        .expect_err("protected cluster");
    assert!(err.to_string().contains("eu-prod-cluster"), "{err}");
    // Refused contexts leave only locked kubeconfigs (no credentials), gone with the session.
    let session = ClusterSession::start(sb.env(), args(Some("prod-eu")).target_request(), None)
        .expect("start");
    assert!(session.prepare().is_err());
    let text = std::fs::read_to_string(session.kubeconfig_path()).expect("locked file");
    assert!(
        text.contains(LOCKED_CONTEXT) && !text.contains("server"),
        "{text}"
    );
}

#[test]
fn protection_is_case_insensitive_and_configurable() {
    let pats = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(check_protected(&pats(&["*prod*"]), &["EU-PROD-1"]).is_err());
    assert!(check_protected(&pats(&["*production*", "live-?"]), &["prod-eu"]).is_ok());
    assert!(check_protected(&pats(&["*production*", "live-?"]), &["live-1"]).is_err());
    assert!(
        check_protected(&[], &["prod"]).is_ok(),
        "an empty list protects nothing"
    );
    let bad = check_protected(&pats(&["[oops"]), &["x"]).expect_err("bad glob");
    assert!(bad.to_string().contains("[oops"), "{bad}");
}

#[test]
fn missing_context_lists_the_available_ones() {
    let err = Sandbox::new()
        .prepare(None, args(Some("nope")))
        .expect_err("missing");
    let msg = err.to_string();
    assert!(
        msg.contains("\"nope\"") && msg.contains("kind-dev, staging, prod-eu"),
        "{msg}"
    );
    let err = Sandbox::new()
        .prepare(None, args(Some("dangling")))
        .expect_err("no cluster");
    assert!(matches!(err, SafetyError::ClusterMissing { .. }), "{err}");
}

#[test]
fn no_current_context_asks_for_one() {
    let sb = Sandbox::new();
    sb.edit("current-context: kind-dev\n", "");
    let err = sb.prepare(None, args(None)).expect_err("no current");
    assert!(matches!(err, SafetyError::NoCurrentContext { .. }));
    assert!(err.to_string().contains("--context"), "{err}");
}

#[test]
fn no_kubeconfig_points_to_doctor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = SafetyEnv {
        kubeconfig_paths: vec![dir.path().join("absent")],
        protected: vec![],
        private_dir: dir.path().join("p"),
    };
    let session = ClusterSession::start(env, Default::default(), None).expect("start");
    let err = session.prepare().expect_err("none");
    assert!(err.to_string().contains("kubetutor doctor"), "{err}");
    std::fs::write(dir.path().join("absent"), "clusters: [oops").expect("write");
    let err = session.prepare().expect_err("corrupt");
    assert!(matches!(err, SafetyError::ReadKubeconfig { .. }), "{err}");
}

#[test]
fn a_context_switch_in_mid_lesson_is_detected() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    target.session.check_before("true").expect("unchanged");
    sb.edit("current-context: kind-dev", "current-context: staging");
    let err = target.session.check_before("true").expect_err("switched");
    assert!(matches!(err, SafetyError::ContextChanged { ref now, .. } if now == "staging"));
    assert!(
        err.to_string()
            .contains("kubectl config use-context kind-dev"),
        "{err}"
    );
}

#[test]
fn a_pinned_context_ignores_the_users_switch_but_not_a_new_server() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(Some("staging"))).expect("prepare");
    target
        .session
        .check_before("true")
        .expect("current context differs, but --context pinned");
    sb.edit("https://10.0.0.1:6443", "https://10.9.9.9:6443");
    let err = target
        .session
        .check_before("true")
        .expect_err("server moved");
    assert!(matches!(err, SafetyError::ClusterChanged { .. }), "{err}");
}

#[test]
fn a_cell_switching_the_private_context_is_detected() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    let text = std::fs::read_to_string(&target.kubeconfig).expect("read");
    let switched = text.replace("current-context: kind-dev", "current-context: other");
    assert_ne!(text, switched);
    std::fs::write(&target.kubeconfig, switched).expect("write");
    let err = target.session.check_after().expect_err("switched");
    assert!(matches!(err, SafetyError::PrivateRewritten { .. }), "{err}");
    assert!(err.to_string().contains("context \"other\""), "{err}");
    // Put back, so the next cell reaches the confirmed context again.
    assert_eq!(
        std::fs::read_to_string(&target.kubeconfig).expect("read"),
        text
    );
    target.session.check_before("true").expect("restored");
    // A new server is caught the same way (`kubectl config set-cluster` by any spelling).
    let moved = text.replace("https://127.0.0.1:6443", "https://127.0.0.1:2");
    std::fs::write(&target.kubeconfig, moved).expect("write");
    let err = target.session.check_before("true").expect_err("moved");
    assert!(err.to_string().contains("https://127.0.0.1:2"), "{err}");
    // So is a deleted one.
    std::fs::remove_file(&target.kubeconfig).expect("rm");
    assert!(target.session.check_after().is_err());
    assert!(target.kubeconfig.exists());
}

#[test]
fn the_gate_refuses_other_kubeconfigs_and_protected_contexts_in_code() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    for code in [
        "KUBECONFIG=~/.kube/config kubectl get pods",
        "unset KUBECONFIG; kubectl get pods",
        "export KUBECONFIG=$HOME/.kube/config",
        "kubectl --kubeconfig ~/.kube/config --context prod get pods",
        "kubectl config set-cluster dev --server=http://127.0.0.1:2",
        "kubectl --context prod-eu get pods",
    ] {
        assert!(target.session.check_before(code).is_err(), "ran: {code}");
    }
    target
        .session
        .check_before("kubectl --context kind-dev get pods")
        .expect("the confirmed context is fine");
}

#[test]
fn private_kubeconfig_is_removed_on_request() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    assert!(Path::new(&target.kubeconfig).exists());
    target.session.end();
    assert!(!target.kubeconfig.exists());
    target.session.end();
    let again = sb.prepare(None, args(None)).expect("prepare");
    let path = again.kubeconfig.clone();
    drop(again);
    assert!(!path.exists(), "dropping the session removes it too");
}

/// kubectl itself must accept the file (our extension note included) and see the namespace.
#[test]
fn kubectl_reads_the_private_kubeconfig() {
    let Some(kubectl) = crate::skip::needs(which("kubectl"), "kubectl on PATH") else {
        return;
    };
    let sb = Sandbox::new();
    let target = sb
        .prepare(Some("kubetutor-redis"), args(None))
        .expect("prepare");
    let out = std::process::Command::new(kubectl)
        .args(["config", "view", "--minify", "-o"])
        .arg("jsonpath={.current-context}/{.contexts[0].context.namespace}")
        .envs(target.session.env())
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "kind-dev/kubetutor-redis"
    );
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

#[test]
fn kubeconfigs_of_dead_sessions_are_removed_at_the_next_start() {
    let sb = Sandbox::new();
    let dir = sb.dir.path().join("private");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // A session of a process that is gone (SIGKILL), one of a live process, an old loose file.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let dead = child.id();
    child.wait().expect("wait");
    let crashed = dir.join(format!("session-{dead}-x"));
    let alive = dir.join(format!("session-{}-y", std::process::id()));
    for d in [&crashed, &alive] {
        std::fs::create_dir_all(d).expect("mkdir");
        std::fs::write(d.join("kubeconfig"), "token: secret").expect("write");
    }
    let old = dir.join("kubeconfig-stale.yaml");
    let other = dir.join("notes.txt");
    std::fs::write(&old, "x").expect("write");
    std::fs::write(&other, "x").expect("write");
    let target = sb.prepare(None, args(None)).expect("prepare");
    assert!(!crashed.exists(), "dead session's credentials removed");
    assert!(alive.exists(), "a running session keeps its own");
    assert!(
        !old.exists(),
        "loose kubeconfig of an older version removed"
    );
    assert!(other.exists(), "files that are not ours stay");
    assert!(target.kubeconfig.exists());
}
