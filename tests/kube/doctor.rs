//! `kubetutor doctor`: API and RBAC checks against a scripted server, the 5 s deadline against a
//! server that never answers, and the exit code.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use kubetutor::kube::access::cluster_checks;
use kubetutor::kube::doctor::{Check, Verdict};
use serde_json::{Value, json};

use super::mock::{NS, Reply, router};

const VERSION: &str = r#"{"major":"1","minor":"34","emulationMajor":"1","emulationMinor":"34","minCompatibilityMajor":"1","minCompatibilityMinor":"33","gitVersion":"v1.34.1","gitCommit":"93248f9ae092f571eb870b7664c534bfc7d00f03","gitTreeState":"clean","buildDate":"2025-09-09T19:36:48Z","goVersion":"go1.24.6","compiler":"gc","platform":"linux/amd64"}"#;

/// An API server that allows everything except `denied` (verb, resource) and lacks the namespace.
fn cluster(
    denied: &'static [(&'static str, &'static str)],
) -> (kube::Client, tokio::task::JoinHandle<()>) {
    router(move |method, uri, body| {
        if uri == "/version" {
            return Reply::Json(200, VERSION.into());
        }
        if method == "POST"
            && uri.starts_with("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        {
            let mut review: Value = serde_json::from_slice(body).expect("review json");
            let attrs = &review["spec"]["resourceAttributes"];
            let cluster_scoped = attrs["resource"] == "namespaces";
            assert_eq!(attrs["namespace"] == NS, !cluster_scoped, "{attrs}");
            let ask = (
                attrs["verb"].as_str().unwrap_or(""),
                attrs["resource"].as_str().unwrap_or(""),
            );
            let allowed = !denied.contains(&ask);
            review["status"] = json!({"allowed": allowed});
            review["kind"] = json!("SelfSubjectAccessReview");
            review["apiVersion"] = json!("authorization.k8s.io/v1");
            return Reply::Json(201, review.to_string());
        }
        if uri.starts_with("/api/v1/nodes") {
            if denied.contains(&("list", "nodes")) {
                let forbidden = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"nodes is forbidden: User \"u\" cannot list resource \"nodes\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"nodes"},"code":403}"#;
                return Reply::Json(403, forbidden.into());
            }
            let nodes = std::fs::read_to_string("tests/fixtures/kube/nodelist.json")
                .expect("tests/fixtures/kube/nodelist.json");
            return Reply::Json(200, nodes);
        }
        if uri == format!("/api/v1/namespaces/{NS}") {
            let missing = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"namespaces \"kubetutor-redis\" not found","reason":"NotFound","details":{"name":"kubetutor-redis","kind":"namespaces"},"code":404}"#;
            return Reply::Json(404, missing.into());
        }
        Reply::Json(404, "{}".into())
    })
}

async fn checks(denied: &'static [(&'static str, &'static str)]) -> Vec<Check> {
    let (client, server) = cluster(denied);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let out = cluster_checks(
        &client,
        "https://127.0.0.1:6443",
        NS,
        deadline,
        Duration::from_secs(5),
    )
    .await;
    server.abort();
    out
}

#[tokio::test]
async fn api_rbac_and_namespace_all_reported() {
    let out = checks(&[]).await;
    let lines: Vec<String> = out.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines[0],
        "ok    api        https://127.0.0.1:6443 answers, Kubernetes v1.34.1"
    );
    assert_eq!(
        lines[1],
        "ok    rbac       create/list/watch/delete pods, services, replicationcontrollers in kubetutor-redis"
    );
    assert!(
        lines[2].starts_with("warn  namespace  kubetutor-redis does not exist yet; fix: "),
        "{}",
        lines[2]
    );
    // From `kubectl get nodes -o json` on the real node of scripts/cluster.
    assert_eq!(
        lines[3],
        "ok    nodes      kubetutor-node Ready, kubelet v1.34.4, runtime containerd://1.6.20"
    );
}

#[tokio::test]
async fn nodes_hidden_by_rbac_only_warn() {
    let out = checks(&[("list", "nodes")]).await;
    assert_eq!(out[3].verdict, Verdict::Warn, "{}", out[3]);
    assert!(out[3].detail.contains("may not list nodes"), "{}", out[3]);
}

#[tokio::test]
async fn a_missing_namespace_nobody_may_create_fails() {
    let out = checks(&[("create", "namespaces")]).await;
    assert_eq!(out[2].verdict, Verdict::Fail, "{}", out[2]);
    assert!(
        out[2].detail.contains("may not create namespaces"),
        "{}",
        out[2]
    );
}

#[tokio::test]
async fn denied_permissions_are_named_and_fail() {
    let out = checks(&[("delete", "services"), ("watch", "pods")]).await;
    let rbac = &out[1];
    assert_eq!(rbac.verdict, Verdict::Fail);
    assert_eq!(
        rbac.detail,
        "not allowed in kubetutor-redis: watch pods, delete services"
    );
    assert!(
        rbac.fix.as_deref().is_some_and(|f| f.contains("Role")),
        "{rbac}"
    );
}

#[tokio::test]
async fn unreachable_api_fails_with_the_cause() {
    let (client, server) = router(|_, _, _| Reply::Refused);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let out = cluster_checks(
        &client,
        "https://10.0.0.1:6443",
        NS,
        deadline,
        Duration::from_secs(5),
    )
    .await;
    server.abort();
    assert_eq!(out.len(), 1, "no RBAC questions to a dead server");
    assert_eq!(out[0].verdict, Verdict::Fail);
    assert!(
        out[0]
            .detail
            .contains("cannot reach https://10.0.0.1:6443: Connection refused"),
        "{}",
        out[0]
    );
}

#[tokio::test]
async fn namespace_errors_name_the_cause_once() {
    let (client, server) = router(|_, _, _| Reply::Refused);
    let err = kubetutor::kube::namespace::exists(&client, NS)
        .await
        .expect_err("refused");
    server.abort();
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert!(chain.contains("Connection refused"), "{chain}");
    assert_eq!(chain.matches("Connection refused").count(), 1, "{chain}");
    assert!(!chain.contains("ServiceError"), "{chain}");
}

fn kubeconfig(dir: &std::path::Path, server: &str, context: &str) -> std::path::PathBuf {
    let path = dir.join("config");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: c\n  cluster:\n    server: {server}\ncontexts:\n- name: {context}\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n"
    );
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

fn doctor(kubeconfig: &std::path::Path) -> (std::process::Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("doctor")
        .env("KUBECONFIG", kubeconfig)
        .env_remove("KUBETUTOR_PROTECTED_CONTEXTS")
        .output()
        .expect("kubetutor runs");
    (out, start.elapsed())
}

/// A server that accepts connections and never says a word: the doctor still answers in 5 s.
#[test]
fn answers_within_five_seconds_when_the_api_never_replies() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(
        dir.path(),
        &format!("https://127.0.0.1:{port}"),
        "blackhole",
    );
    let (out, took) = doctor(&config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        took < Duration::from_millis(6500),
        "took {took:?}\n{stdout}"
    );
    assert!(
        took >= Duration::from_secs(4),
        "gave up early: {took:?}\n{stdout}"
    );
    assert!(!out.status.success());
    assert!(
        stdout.contains(&format!(
            "FAIL  api        no answer from https://127.0.0.1:{port} within 5s"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("ok    context    blackhole"), "{stdout}");
    drop(listener);
}

#[test]
fn protected_contexts_and_missing_kubeconfigs_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), "https://127.0.0.1:1", "eu-prod");
    let (out, _) = doctor(&config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("FAIL  context    context \"eu-prod\" matches the protected pattern"),
        "{stdout}"
    );
    let (out, _) = doctor(&dir.path().join("absent"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("FAIL  kubeconfig no kubeconfig found"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.contains("terminal")), "{stdout}");
}
