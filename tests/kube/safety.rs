use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kubetutor::cli::LessonArgs;
use kubetutor::kube::safety::{ClusterTarget, SafetyEnv, SafetyError, check_protected, prepare_in};

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

    fn prepare(&self, ns: Option<&str>, args: LessonArgs) -> Result<ClusterTarget, SafetyError> {
        prepare_in(&self.env(), ns, &args)
    }

    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.user_config()).expect("read");
        assert!(text.contains(from), "fixture lacks {from}");
        std::fs::write(self.user_config(), text.replacen(from, to, 1)).expect("write");
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
        target.env(),
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
    // Nothing was written for refused contexts.
    assert!(!sb.dir.path().join("private").exists());
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
    let err = prepare_in(&env, None, &args(None)).expect_err("none");
    assert!(err.to_string().contains("kubetutor doctor"), "{err}");
    std::fs::write(dir.path().join("absent"), "clusters: [oops").expect("write");
    let err = prepare_in(&env, None, &args(None)).expect_err("corrupt");
    assert!(matches!(err, SafetyError::ReadKubeconfig { .. }), "{err}");
}

#[test]
fn a_context_switch_in_mid_lesson_is_detected() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    let user = [sb.user_config()];
    target.verify_unchanged_in(&user).expect("unchanged");
    sb.edit("current-context: kind-dev", "current-context: staging");
    let err = target.verify_unchanged_in(&user).expect_err("switched");
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
    let user = [sb.user_config()];
    target
        .verify_unchanged_in(&user)
        .expect("current context differs, but --context pinned");
    sb.edit("https://10.0.0.1:6443", "https://10.9.9.9:6443");
    let err = target.verify_unchanged_in(&user).expect_err("server moved");
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
    let err = target
        .verify_unchanged_in(&[sb.user_config()])
        .expect_err("switched");
    assert!(matches!(err, SafetyError::PrivateChanged { .. }), "{err}");
}

#[test]
fn private_kubeconfig_is_removed_on_request() {
    let sb = Sandbox::new();
    let target = sb.prepare(None, args(None)).expect("prepare");
    assert!(Path::new(&target.kubeconfig).exists());
    target.remove_private_kubeconfig();
    assert!(!target.kubeconfig.exists());
    target.remove_private_kubeconfig();
}

/// kubectl itself must accept the file (our extension note included) and see the namespace.
#[test]
fn kubectl_reads_the_private_kubeconfig() {
    if which("kubectl").is_none() {
        eprintln!("skipped: kubectl not on PATH");
        return;
    }
    let sb = Sandbox::new();
    let target = sb
        .prepare(Some("kubetutor-redis"), args(None))
        .expect("prepare");
    let out = std::process::Command::new("kubectl")
        .args(["config", "view", "--minify", "-o"])
        .arg("jsonpath={.current-context}/{.contexts[0].context.namespace}")
        .envs(target.env())
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
fn week_old_private_kubeconfigs_are_pruned() {
    let sb = Sandbox::new();
    let dir = sb.dir.path().join("private");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let old = dir.join("kubeconfig-stale.yaml");
    let other = dir.join("notes.txt");
    for path in [&old, &other] {
        let file = std::fs::File::create(path).expect("create");
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(8 * 24 * 3600);
        file.set_modified(long_ago).expect("set mtime");
    }
    let target = sb.prepare(None, args(None)).expect("prepare");
    assert!(!old.exists(), "stale kubeconfig removed");
    assert!(other.exists(), "files that are not ours stay");
    assert!(target.kubeconfig.exists());
}
