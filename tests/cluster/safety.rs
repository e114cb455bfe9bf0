//! A context whose name matches a protected pattern never runs a lesson: nothing is created.

use crate::support::{
    LESSON, TestNamespace, current_context, kubeconfig_copy, kubectl_with, kubetutor, text,
};

/// Renames the cluster's context in a private copy of its kubeconfig and tries the lesson there.
fn run_under_context(
    new_name: &str,
    patterns: Option<&str>,
) -> (std::process::Output, TestNamespace) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = kubeconfig_copy(dir.path());
    let old = current_context(&copy);
    let out = kubectl_with(&copy, &["config", "rename-context", &old, new_name]);
    assert!(
        out.status.success(),
        "rename-context: {}",
        text(&out.stderr)
    );
    let ns = TestNamespace::reserve("protected");
    let mut cmd = kubetutor(&copy, dir.path());
    cmd.args(["run", LESSON, "--yes", "--namespace", &ns.name])
        .env("KUBETUTOR_SKIP_NEEDS", "containers");
    if let Some(p) = patterns {
        cmd.env("KUBETUTOR_PROTECTED_CONTEXTS", p);
    }
    (cmd.output().expect("run kubetutor"), ns)
}

fn assert_refused(out: &std::process::Output, ns: &TestNamespace, context: &str) {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !out.status.success(),
        "ran against protected context {context}:\n{all}"
    );
    assert!(
        all.contains("protected") && all.contains(context),
        "refusal does not say why:\n{all}"
    );
    assert!(
        !ns.exists(),
        "namespace {} was created under a protected context",
        ns.name
    );
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn default_pattern_protects_prod_contexts() {
    let (out, ns) = run_under_context("e2e-prod-cluster", None);
    assert_refused(&out, &ns, "e2e-prod-cluster");
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn patterns_from_the_environment_protect_too() {
    let (out, ns) = run_under_context("e2e-customer-a", Some("staging-*, *customer*"));
    assert_refused(&out, &ns, "e2e-customer-a");
}
