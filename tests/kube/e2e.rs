//! Opt-in end to end against a real API server: safety guard, namespace creation, the pod watch
//! and doctor's cluster checks. Ignored by default (it needs a cluster); with `--ignored` it
//! fails unless `KUBETUTOR_E2E_KUBECONFIG` names a kubeconfig. scripts/e2e-cluster runs it.
//!
//! - Local control plane: `scripts/cluster up && eval "$(scripts/cluster env)"`, then
//!   `KUBETUTOR_E2E_KUBECONFIG=$KUBECONFIG cargo test --test kube e2e -- --ignored`
//! - kind: `kind create cluster`, then `KUBETUTOR_E2E_KUBECONFIG=~/.kube/config cargo test ...`
//! - minikube: `minikube start`, then the same.
//!
//! The test works in its own namespace `kubetutor-e2e-<pid>` and deletes it at the end. The
//! context must not match a protected pattern (default `*prod*`).

use std::time::{Duration, SystemTime};

use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, PostParams};
use kubetutor::app::pods_view::{Change, PodsView};
use kubetutor::cli::LessonArgs;
use kubetutor::kube::access::cluster_checks;
use kubetutor::kube::doctor::Verdict;
use kubetutor::kube::model::Connection;
use kubetutor::kube::pods::spawn_pod_watch_for;
use kubetutor::kube::safety::SafetyEnv;
use kubetutor::kube::session::ClusterSession;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
async fn safety_namespace_pods_and_doctor_against_a_real_cluster() {
    let kubeconfig = std::env::var_os("KUBETUTOR_E2E_KUBECONFIG")
        .filter(|p| !p.is_empty())
        .expect("KUBETUTOR_E2E_KUBECONFIG names the cluster's kubeconfig (scripts/e2e-cluster)");
    let private = tempfile::tempdir().expect("tempdir");
    let env = SafetyEnv {
        kubeconfig_paths: vec![kubeconfig.into()],
        protected: vec!["*prod*".into()],
        private_dir: private.path().into(),
    };
    let ns = format!("kubetutor-e2e-{}", std::process::id());
    let session = ClusterSession::start(
        env,
        LessonArgs::default().target_request(),
        Some(ns.clone()),
    )
    .expect("start");
    let target = session
        .confirm(&session.prepare().expect("prepare"))
        .expect("confirm");
    let client = target.client().await.expect("client");
    assert!(!target.namespace_exists(&client).await.expect("lookup"));
    assert!(
        target.ensure_namespace(&client).await.expect("create"),
        "created"
    );
    assert!(
        !target.ensure_namespace(&client).await.expect("exists"),
        "second call is a no-op"
    );

    let result = exercise(&target, &client).await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let _ = namespaces.delete(&ns, &DeleteParams::default()).await;
    session.end();
    result.expect("e2e");
}

async fn exercise(
    target: &kubetutor::kube::safety::ClusterTarget,
    client: &kube::Client,
) -> Result<(), String> {
    let (tx, mut rx) = mpsc::channel(64);
    let watch = spawn_pod_watch_for(target.clone(), Some("app=kubetutor-e2e".into()), tx);
    let mut view = PodsView::new();
    let mut step = async |view: &mut PodsView, what: &str, done: &dyn Fn(&PodsView) -> bool| {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(view) {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(u)) => {
                    view.apply(u, SystemTime::now());
                }
                _ => {
                    return Err(format!(
                        "timed out waiting for {what}; state: {}",
                        view.connection().line()
                    ));
                }
            }
        }
        Ok(())
    };
    step(&mut view, "the first list", &|v| {
        v.has_listed() && v.connection() == &Connection::Live
    })
    .await?;

    let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "e2e-web", "labels": {"app": "kubetutor-e2e"}},
        "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.10"}]}
    }))
    .map_err(|e| e.to_string())?;
    pods.create(&PostParams::default(), &pod)
        .await
        .map_err(|e| e.to_string())?;
    step(&mut view, "the pod to appear", &|v| {
        v.entries().any(|e| e.row.name == "e2e-web")
    })
    .await?;
    step(&mut view, "the pod to run with an IP", &|v| {
        v.entries()
            .any(|e| e.row.name == "e2e-web" && e.row.status == "Running" && e.row.ip.is_some())
    })
    .await?;
    pods.delete("e2e-web", &DeleteParams::default().grace_period(0))
        .await
        .map_err(|e| e.to_string())?;
    let now = SystemTime::now;
    step(&mut view, "the pod to be deleted", &|v| {
        v.entries()
            .any(|e| e.row.name == "e2e-web" && e.change(now()) == Some(Change::Deleted))
            || (v.is_empty() && v.has_listed())
    })
    .await?;
    watch.abort();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let checks = cluster_checks(
        client,
        &target.cluster_url,
        &target.namespace,
        deadline,
        Duration::from_secs(5),
    )
    .await;
    for c in &checks {
        eprintln!("{c}");
        if c.verdict == Verdict::Fail {
            return Err(format!("doctor check failed: {c}"));
        }
    }
    Ok(())
}
