//! What only a real node can show: kubelet refusing clients it does not know, `kubectl exec`
//! and `kubectl port-forward` reaching a real Redis container, and kubelet's own pod states.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{TestNamespace, kubectl, kubectl_ok, needs_real_node, text, wait_for};

/// A pod of the locally built `redis:7` image running `redis-server`, Ready.
fn redis_pod(ns: &str, name: &str) {
    let manifest = format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"{ns}",
        "labels":{{"app":"{name}"}}}},
        "spec":{{"terminationGracePeriodSeconds":1,"containers":[{{"name":"redis","image":"redis:7",
        "command":["redis-server","--protected-mode","no"],
        "readinessProbe":{{"exec":{{"command":["redis-cli","ping"]}},"periodSeconds":1}}}}]}}}}"#
    );
    apply(&manifest);
    kubectl_ok(&[
        "-n",
        ns,
        "wait",
        "--for=condition=Ready",
        &format!("pod/{name}"),
        "--timeout=90s",
    ]);
}

fn apply(manifest: &str) {
    let mut child = Command::new("kubectl")
        .args(["apply", "-f", "-"])
        .env("KUBECONFIG", crate::support::kubeconfig())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(manifest.as_bytes())
        .expect("write manifest");
    let out = child.wait_with_output().expect("kubectl apply");
    assert!(out.status.success(), "kubectl apply: {}", text(&out.stderr));
}

fn namespace(tag: &str) -> TestNamespace {
    let ns = TestNamespace::reserve(tag);
    kubectl_ok(&["create", "namespace", &ns.name]);
    ns
}

/// The HTTP status curl gets from `url` (TLS unchecked: this is about who may ask, not TLS).
fn http_status(url: &str, bearer: Option<&str>) -> String {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sk",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "5",
    ]);
    if let Some(token) = bearer {
        cmd.arg("-H").arg(format!("Authorization: Bearer {token}"));
    }
    let out = cmd.arg(url).output().expect("curl");
    text(&out.stdout).trim().to_string()
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn kubelet_refuses_anonymous_and_unauthorized_clients() {
    if !needs_real_node("kubelet_refuses_anonymous_and_unauthorized_clients") {
        return;
    }
    let node = kubectl_ok(&["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"]);
    let ip = kubectl_ok(&[
        "get",
        "node",
        &node,
        "-o",
        r#"jsonpath={.status.addresses[?(@.type=="InternalIP")].address}"#,
    ]);
    let port = kubectl_ok(&[
        "get",
        "node",
        &node,
        "-o",
        "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}",
    ]);
    let url = format!("https://{ip}:{port}/pods");
    assert_eq!(
        http_status(&url, None),
        "401",
        "kubelet answers anonymous clients at {url}"
    );

    // A service account is authenticated by kubelet (TokenReview) and then refused by the API's
    // authorization (SubjectAccessReview of nodes/proxy).
    let ns = namespace("kubelet");
    kubectl_ok(&["-n", &ns.name, "create", "serviceaccount", "probe"]);
    let token = kubectl_ok(&["-n", &ns.name, "create", "token", "probe"]);
    assert_eq!(
        http_status(&url, Some(&token)),
        "403",
        "kubelet lets a service account without RBAC read its pods"
    );
    // The apiserver's own client certificate gets in: logs, exec and port-forward go this way.
    let pods = kubectl_ok(&["get", "--raw", &format!("/api/v1/nodes/{node}/proxy/pods")]);
    assert!(
        pods.contains("\"PodList\""),
        "the API cannot reach kubelet: {pods}"
    );
}

/// `kubectl port-forward` in the background, killed on drop; `port` is its local end.
struct PortForward {
    child: Child,
    port: u16,
}

impl PortForward {
    fn start(ns: &str, target: &str, remote: u16) -> PortForward {
        let mut child = Command::new("kubectl")
            .args(["-n", ns, "port-forward", target])
            .arg(format!(":{remote}"))
            .args(["--address", "127.0.0.1"])
            .env("KUBECONFIG", crate::support::kubeconfig())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kubectl port-forward");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("port-forward says where it listens");
        // It prints a line per connection: a closed pipe would end it at the first one.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        // "Forwarding from 127.0.0.1:40123 -> 6379"
        let port = line
            .split_whitespace()
            .nth(2)
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected port-forward output: {line:?}"));
        PortForward { child, port }
    }
}

impl Drop for PortForward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli on the host (scripts/deps installs it)");
    text(&out.stdout).trim().to_string()
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn exec_and_port_forward_reach_one_real_redis() {
    if !needs_real_node("exec_and_port_forward_reach_one_real_redis") {
        return;
    }
    let ns = namespace("exec");
    let n = ns.name.as_str();
    redis_pod(n, "redis");
    let exec = |args: &[&str]| {
        let mut all = vec!["-n", n, "exec", "redis", "--", "redis-cli"];
        all.extend_from_slice(args);
        kubectl_ok(&all)
    };
    assert_eq!(exec(&["ping"]), "PONG");

    let forward = PortForward::start(n, "pod/redis", 6379);
    let value = format!("written through port-forward {}", std::process::id());
    assert_eq!(redis_cli(forward.port, &["set", "k", &value]), "OK");
    assert_eq!(
        exec(&["get", "k"]),
        value,
        "exec and port-forward reach different servers"
    );
    // A service in front of the pod: kubectl forwards to a pod behind it.
    kubectl_ok(&[
        "-n", n, "expose", "pod", "redis", "--port", "6379", "--name", "redis",
    ]);
    let via_service = PortForward::start(n, "svc/redis", 6379);
    assert_eq!(redis_cli(via_service.port, &["get", "k"]), value);
}

/// A pod whose first container is `image` running `command`, with optional resources.
fn state_pod(ns: &str, name: &str, image: &str, command: &str, restart: &str, extra: &str) {
    let manifest = format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"{ns}",
        "labels":{{"name":"redis"}}}},"spec":{{"restartPolicy":"{restart}",
        "terminationGracePeriodSeconds":1,"containers":[{{"name":"c","image":"{image}",
        "imagePullPolicy":"Never","command":["sh","-c",{command}]{extra}}}]}}}}"#,
        command = serde_json::to_string(command).expect("json")
    );
    apply(&manifest);
}

/// kubectl's STATUS column for every pod of `ns`, by name.
pub fn kubectl_statuses(ns: &str) -> Vec<(String, String)> {
    let out = kubectl(&["-n", ns, "get", "pods", "--no-headers"]);
    text(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3).then(|| (f[0].to_string(), f[2].to_string()))
        })
        .collect()
}

/// The pods of [`kubelet_states`]: name and the STATUS kubectl shows once kubelet settled.
pub const STATES: [(&str, &str); 7] = [
    ("redis-running", "Running"),
    ("redis-crashloop", "CrashLoopBackOff"),
    ("redis-noimage", "ErrImageNeverPull"),
    ("redis-completed", "Completed"),
    ("redis-error", "Error"),
    ("redis-oomkilled", "OOMKilled"),
    ("redis-pending", "Pending"),
];

/// Creates one pod per [`STATES`] entry and waits until kubectl shows each state (the pods pane
/// test then compares its rows with kubectl's).
pub fn kubelet_states(ns: &str) {
    let limit = r#","resources":{"limits":{"memory":"16Mi"}}"#;
    let huge = r#","resources":{"requests":{"cpu":"1000"}}"#;
    state_pod(
        ns,
        "redis-running",
        "redis:7",
        "exec sleep 3600",
        "Always",
        "",
    );
    state_pod(ns, "redis-crashloop", "redis:7", "exit 1", "Always", "");
    state_pod(
        ns,
        "redis-noimage",
        "redis:no-such-tag",
        "true",
        "Always",
        "",
    );
    state_pod(ns, "redis-completed", "redis:7", "exit 0", "Never", "");
    state_pod(ns, "redis-error", "redis:7", "exit 3", "Never", "");
    // The shell holds 64 MiB in a variable under a 16 MiB limit: the kernel's OOM killer ends it.
    let hog = r#"x=$(head -c 64m /dev/zero | tr '\0' a); echo ${#x}"#;
    state_pod(ns, "redis-oomkilled", "redis:7", hog, "Never", limit);
    state_pod(ns, "redis-pending", "redis:7", "true", "Always", huge);
    wait_for(
        "kubelet's states in kubectl get pods",
        Duration::from_secs(120),
        || {
            let now = kubectl_statuses(ns);
            let all = STATES
                .iter()
                .all(|(pod, want)| now.iter().any(|(p, s)| p == pod && s == want));
            if all { Ok(()) } else { Err(format!("{now:?}")) }
        },
    );
}

/// An interactive cell that runs `kubectl exec -it POD -- redis-cli` against a real Redis
/// container: `kubetutor run` types the cell's `stdin=` into the cell's own pseudo-terminal line
/// by line (the embedded terminal of the TUI, headless), and the writes reach the container.
#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn an_interactive_kubectl_exec_cell_talks_to_a_real_redis() {
    if !needs_real_node("an_interactive_kubectl_exec_cell_talks_to_a_real_redis") {
        return;
    }
    let ns = TestNamespace::reserve("exec-it");
    let n = ns.name.as_str();
    kubectl_ok(&["create", "namespace", n]);
    redis_pod(n, "cli");
    let dir = tempfile::tempdir().expect("tempdir");
    let lesson = dir.path().join("lesson.md");
    std::fs::write(
        &lesson,
        "---\ntitle: exec -it\n---\n# exec -it\n\n## Talk to Redis\n\n\
         ```sh {id=cli interactive=true timeout=90s stdin=\"set greeting hello-from-a-pty\\nget greeting\\nquit\"}\n\
         kubectl exec -it cli -- redis-cli\n```\n",
    )
    .expect("lesson");
    let (passed, stdout, report) = crate::support::run_lesson(&lesson, n, &[]);
    assert!(passed, "{report}");
    assert!(stdout.contains("1 passed, 0 failed"), "{report}");
    // The session text is the cell's output: redis-cli's prompt, OK and the value read back.
    assert!(stdout.contains("OK"), "{report}");
    assert!(stdout.contains("hello-from-a-pty"), "{report}");
    let stored = kubectl_ok(&["-n", n, "exec", "cli", "--", "redis-cli", "get", "greeting"]);
    assert_eq!(stored.trim(), "hello-from-a-pty", "{report}");
}
