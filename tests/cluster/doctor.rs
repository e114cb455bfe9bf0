//! `kubetutor doctor` against a live API, and against one that does not answer.

use crate::support::{kubeconfig, kubeconfig_copy, kubectl_with, kubetutor, text};

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn doctor_passes_against_the_cluster() {
    let state = tempfile::tempdir().expect("tempdir");
    let out = kubetutor(&kubeconfig(), state.path())
        .arg("doctor")
        .output()
        .expect("run doctor");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "doctor failed against a live cluster:\n{all}"
    );
    let server = server_of(&kubeconfig());
    assert!(
        all.contains(&server) || all.contains("reachable"),
        "doctor never names the API:\n{all}"
    );
    // The node's kubelet and container runtime, as the API reports them.
    let info = |field: &str| {
        let path = format!("jsonpath={{.items[0].status.nodeInfo.{field}}}");
        crate::support::kubectl_ok(&["get", "nodes", "-o", &path])
    };
    let (kubelet, runtime) = (info("kubeletVersion"), info("containerRuntimeVersion"));
    let nodes = all
        .lines()
        .find(|l| l.contains("nodes "))
        .unwrap_or_default();
    assert!(
        nodes.contains(&format!("kubelet {kubelet}")),
        "doctor does not name kubelet {kubelet}:\n{all}"
    );
    if crate::support::real_node() {
        assert!(
            nodes.starts_with("ok") && nodes.contains(&format!("runtime {runtime}")),
            "doctor does not name the runtime {runtime}:\n{all}"
        );
    } else {
        assert!(nodes.contains("simulated by KWOK"), "{all}");
    }
}

/// The real outage when scripts/e2e-cluster has stopped its apiserver (KUBETUTOR_E2E_API_STOPPED);
/// otherwise the same kubeconfig pointed at a loopback port where nothing listens.
#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn doctor_reports_unreachable_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = if std::env::var_os("KUBETUTOR_E2E_API_STOPPED").is_some() {
        kubeconfig()
    } else {
        let copy = kubeconfig_copy(dir.path());
        let cluster = jsonpath(&copy, "{.clusters[0].name}");
        let dead = format!("https://127.0.0.1:{}", closed_port());
        let cluster_arg = format!("--server={dead}");
        let out = kubectl_with(&copy, &["config", "set-cluster", &cluster, &cluster_arg]);
        assert!(out.status.success(), "set-cluster: {}", text(&out.stderr));
        copy
    };
    let server = server_of(&config);
    let started = std::time::Instant::now();
    let out = kubetutor(&config, dir.path())
        .arg("doctor")
        .output()
        .expect("run doctor");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !out.status.success(),
        "doctor passed although {server} does not answer:\n{all}"
    );
    assert!(
        all.contains(&server) || all.contains(server.trim_start_matches("https://")),
        "doctor's failure does not name the server {server}:\n{all}"
    );
    assert!(
        started.elapsed().as_secs() < 60,
        "doctor took {:?} to give up",
        started.elapsed()
    );
}

fn jsonpath(config: &std::path::Path, path: &str) -> String {
    let arg = format!("jsonpath={path}");
    let out = kubectl_with(config, &["config", "view", "--minify", "-o", &arg]);
    assert!(
        out.status.success(),
        "kubectl config view: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_string()
}

fn server_of(config: &std::path::Path) -> String {
    jsonpath(config, "{.clusters[0].cluster.server}")
}

/// A loopback port that was free a moment ago and that nobody listens on now.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}
