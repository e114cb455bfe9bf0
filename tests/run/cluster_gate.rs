//! The cluster gate of `kubetutor run`, end to end, with a fake `kubectl` first on PATH that logs
//! which kubeconfig and context it would have used (nothing here reaches a cluster).

use std::path::Path;
use std::process::Output;

use super::common::*;
use super::fake_cluster::{FakeCluster, Namespace};

const LOCKED: &str = "kubetutor-cluster-not-confirmed-yet";

/// The fake cluster (`tests/support/fake_cluster.rs`) and the lesson `run` is given.
struct Sandbox(FakeCluster);

impl std::ops::Deref for Sandbox {
    type Target = FakeCluster;
    fn deref(&self) -> &FakeCluster {
        &self.0
    }
}

impl Sandbox {
    /// The user's current context is `current`; the API says the namespace exists.
    fn new(current: &str) -> Self {
        Self(FakeCluster::new(current, Namespace::Exists))
    }

    fn run(&self, cells: &[&str], args: &[&str]) -> Output {
        let mut text = String::from("---\ntitle: Gate\nnamespace: demo\n---\n# Gate\n\n## One\n");
        for (i, code) in cells.iter().enumerate() {
            text.push_str(&format!("\n```sh {{id=c{i}}}\n{code}\n```\n"));
        }
        let file = self.root().join("lesson/lesson.md");
        std::fs::write(&file, text).expect("lesson");
        std::fs::write(
            self.root().join("lesson/deploy.sh"),
            "#!/bin/bash\nkubectl get pods\n",
        )
        .expect("script");
        let path = self.path();
        kubetutor()
            .arg("run")
            .arg(&file)
            .args(args)
            .env("HOME", self.root().join("home"))
            .env("XDG_RUNTIME_DIR", self.root().join("run"))
            .env("PATH", path)
            .env_remove("KUBECONFIG")
            .env_remove("KUBETUTOR_PROTECTED_CONTEXTS")
            .output()
            .expect("run kubetutor")
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// kubectl reached without the word `kubectl` runs before any confirmation: it must see the
/// locked private kubeconfig, never the user's (whose current context is `prod`).
#[test]
fn kubectl_by_any_other_name_sees_only_the_locked_kubeconfig() {
    for code in [
        "k=kubectl; $k get pods",
        "eval \"kube\"\"ctl get pods\"",
        "bash ./deploy.sh",
        "K=kubectl; ${K} get pods",
    ] {
        let sb = Sandbox::new("prod");
        let out = sb.run(&[code], &[]);
        let calls = sb.calls();
        assert!(
            !calls.is_empty(),
            "{code}: kubectl never ran: {}",
            text(&out)
        );
        for (cfg, ctx) in &calls {
            assert_eq!(ctx, LOCKED, "{code}: reached context {ctx} through {cfg}");
            assert!(
                cfg.starts_with(&sb.root().join("run").display().to_string()),
                "{code}: used {cfg}"
            );
        }
        assert!(sb.leftovers().is_empty(), "{code}: {:?}", sb.leftovers());
    }
}

/// Spellings the shell scanner reads as kubectl after quote removal (`kube""ctl`, `\kubectl`,
/// `kube\ctl`): the cell needs the cluster, the protected current context refuses, and
/// nothing runs at all.
#[test]
fn kubectl_spelled_with_quotes_or_escapes_is_seen_and_refused_on_a_protected_context() {
    for code in [
        "kube\"\"ctl get pods",
        "\\kubectl get pods",
        "f() { kube\\ctl get pods; }; f",
        "echo \"$(kube''ctl get pods)\"",
        "printf 'get pods' | xargs kube''ctl",
    ] {
        let sb = Sandbox::new("prod");
        let out = sb.run(&[code], &[]);
        assert!(!out.status.success(), "{code}: {}", text(&out));
        assert!(text(&out).contains("protected"), "{code}: {}", text(&out));
        assert!(
            sb.calls().is_empty(),
            "{code}: kubectl ran: {:?}",
            sb.calls()
        );
        assert!(sb.leftovers().is_empty(), "{code}: {:?}", sb.leftovers());
    }
}

#[test]
fn after_consent_cells_cannot_leave_the_private_kubeconfig() {
    let sb = Sandbox::new("dev");
    let out = sb.run(
        &[
            "kubectl get pods",
            // Hidden from the scanner: an exported KUBECONFIG carried into later cells.
            "v=KUBECONFIG; export \"$v=$HOME/.kube/config\"",
            "kubectl get pods",
        ],
        &["--yes"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let calls = sb.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    for (cfg, ctx) in &calls {
        assert_eq!(ctx, "dev");
        assert_ne!(
            Path::new(cfg),
            sb.user_config(),
            "re-exported before every cell"
        );
    }
    assert!(
        sb.leftovers().is_empty(),
        "credentials left: {:?}",
        sb.leftovers()
    );
}

#[test]
fn spelled_out_escapes_are_refused_even_with_keep_going() {
    for code in [
        "KUBECONFIG=~/.kube/config kubectl get pods",
        "unset KUBECONFIG; kubectl get pods",
        "export KUBECONFIG=$HOME/.kube/config",
        "kubectl --kubeconfig ~/.kube/config --context prod get pods",
        "kubectl config set-cluster dev --server=http://127.0.0.1:2",
        "kubectl --context prod get pods",
    ] {
        let sb = Sandbox::new("dev");
        let out = sb.run(
            &["kubectl get pods", code, "echo after"],
            &["--yes", "--keep-going"],
        );
        let all = text(&out);
        assert!(!out.status.success(), "{code}: {all}");
        assert!(
            all.contains("refused") || all.contains("protected"),
            "{code}: {all}"
        );
        assert!(
            !all.contains("\nafter"),
            "{code}: ran on after a refusal: {all}"
        );
        assert_eq!(sb.calls().len(), 1, "{code}: {:?}", sb.calls());
    }
}

#[test]
fn a_cell_rewriting_the_private_kubeconfig_stops_the_run() {
    let sb = Sandbox::new("dev");
    let out = sb.run(
        &[
            "kubectl get pods",
            // Not `kubectl config`: the after-cell check catches it, whatever wrote the file.
            "sed -i 's#server: .*#server: http://127.0.0.1:2#' \"$(printenv KUBE''CONFIG)\"",
            "kubectl get pods",
        ],
        &["--yes", "--keep-going"],
    );
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("127.0.0.1:2"), "{all}");
    assert_eq!(sb.calls().len(), 1, "{:?}", sb.calls());
}

#[test]
fn a_context_switch_in_the_users_kubeconfig_stops_the_next_cell() {
    let sb = Sandbox::new("dev");
    let config = sb.user_config().display().to_string();
    let switch = format!("sed -i 's/^current-context: dev/current-context: prod/' {config}");
    let out = sb.run(
        &["kubectl get pods", &switch, "kubectl get pods"],
        &["--yes", "--keep-going"],
    );
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("changed from \"dev\" to \"prod\""), "{all}");
    assert_eq!(sb.calls().len(), 1, "{:?}", sb.calls());
}

#[test]
fn a_protected_current_context_refuses_before_anything_runs() {
    let sb = Sandbox::new("prod");
    let out = sb.run(&["kubectl get pods"], &["--yes"]);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("protected pattern"), "{all}");
    assert!(sb.calls().is_empty(), "{:?}", sb.calls());
    assert!(sb.leftovers().is_empty());
}
