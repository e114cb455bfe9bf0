//! Doctor's `nodes` line: which nodes would run the lesson's pods, with their kubelet and
//! container runtime versions. A KWOK node is named as simulated (pods get `Running` but run
//! no containers), and a user who may not list nodes only gets a warning: lessons never need to.

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};

use super::doctor::Check;

/// KWOK marks the nodes it plays with this annotation (scripts/cluster.d/node.yaml).
const KWOK_ANNOTATION: &str = "kwok.x-k8s.io/node";
/// Doctor names at most this many nodes; the rest are counted.
const SHOWN: usize = 3;

pub async fn node_check(client: &kube::Client) -> Check {
    let api: Api<Node> = Api::all(client.clone());
    match api.list(&ListParams::default().limit(50)).await {
        Ok(list) => summarize(&list.items),
        Err(kube::Error::Api(s)) if s.code == 403 => Check::warn(
            "nodes",
            "you may not list nodes, so the kubelet and container runtime are unknown".into(),
            "none needed for lessons; `kubectl get nodes -o wide` shows them to an admin",
        ),
        Err(err) => Check::warn(
            "nodes",
            format!("cannot list nodes: {}", super::root_cause(&err)),
            "kubectl get nodes -o wide",
        ),
    }
}

/// One line for all nodes: the Ready ones first, each with its kubelet and runtime.
pub fn summarize(nodes: &[Node]) -> Check {
    if nodes.is_empty() {
        return Check::warn(
            "nodes",
            "the cluster has no node: pods will stay Pending".into(),
            "add a node (kind, minikube and scripts/cluster up come with one)",
        );
    }
    let mut rows: Vec<(bool, String)> = nodes.iter().map(|n| (ready(n), describe(n))).collect();
    rows.sort_by_key(|(ready, _)| !ready);
    let ready_count = rows.iter().filter(|(r, _)| *r).count();
    let mut text: Vec<String> = rows.iter().take(SHOWN).map(|(_, d)| d.clone()).collect();
    if rows.len() > SHOWN {
        text.push(format!("and {} more", rows.len() - SHOWN));
    }
    let text = text.join("; ");
    if ready_count == 0 {
        return Check::warn(
            "nodes",
            format!("no node is Ready: {text}"),
            "kubectl describe nodes shows why; pods will stay Pending",
        );
    }
    if nodes.iter().all(simulated) {
        return Check::warn(
            "nodes",
            format!("{text}: simulated by KWOK, pods run no containers"),
            "lesson cells that need containers fail here; use a real node (scripts/cluster up as root, kind, minikube)",
        );
    }
    Check::ok("nodes", text)
}

fn simulated(node: &Node) -> bool {
    node.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(KWOK_ANNOTATION))
}

fn ready(node: &Node) -> bool {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `NAME Ready, kubelet v1.34.4, containerd://1.6.20`.
fn describe(node: &Node) -> String {
    let name = node.metadata.name.as_deref().unwrap_or("?");
    let state = if ready(node) { "Ready" } else { "NotReady" };
    let info = node.status.as_ref().and_then(|s| s.node_info.as_ref());
    let known = |v: Option<&String>| {
        v.filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| "unknown".into())
    };
    let kubelet = known(info.map(|i| &i.kubelet_version));
    let runtime = known(info.map(|i| &i.container_runtime_version));
    format!("{name} {state}, kubelet {kubelet}, runtime {runtime}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::doctor::Verdict;

    fn node(name: &str, ready: bool, runtime: &str, kwok: bool) -> Node {
        let annotations = kwok.then(|| serde_json::json!({ KWOK_ANNOTATION: "fake" }));
        serde_json::from_value(serde_json::json!({
            "metadata": { "name": name, "annotations": annotations },
            "status": {
                "conditions": [{ "type": "Ready", "status": if ready { "True" } else { "False" } }],
                "nodeInfo": {
                    "kubeletVersion": "v1.34.4", "containerRuntimeVersion": runtime,
                    "architecture": "amd64", "bootID": "", "kernelVersion": "", "kubeProxyVersion": "",
                    "machineID": "", "operatingSystem": "linux", "osImage": "", "systemUUID": ""
                }
            }
        }))
        .expect("a node")
    }

    #[test]
    fn a_real_node_names_its_kubelet_and_runtime() {
        let c = summarize(&[node("kubetutor-node", true, "containerd://1.6.20", false)]);
        assert_eq!(c.verdict, Verdict::Ok);
        assert_eq!(
            c.detail,
            "kubetutor-node Ready, kubelet v1.34.4, runtime containerd://1.6.20"
        );
    }

    #[test]
    fn a_kwok_node_is_named_simulated() {
        let c = summarize(&[node("kwok-node-0", true, "", true)]);
        assert_eq!(c.verdict, Verdict::Warn);
        assert!(c.detail.contains("runtime unknown"), "{}", c.detail);
        assert!(c.detail.contains("simulated by KWOK"), "{}", c.detail);
    }

    #[test]
    fn no_ready_node_warns_and_ready_ones_come_first() {
        let c = summarize(&[node("a", false, "containerd://2.0", false)]);
        assert_eq!(c.verdict, Verdict::Warn);
        assert!(c.detail.starts_with("no node is Ready"), "{}", c.detail);

        let many: Vec<Node> = (0..5)
            .map(|i| node(&format!("n{i}"), i == 4, "cri-o://1.30", false))
            .collect();
        let c = summarize(&many);
        assert_eq!(c.verdict, Verdict::Ok);
        assert!(c.detail.starts_with("n4 Ready"), "{}", c.detail);
        assert!(c.detail.ends_with("and 2 more"), "{}", c.detail);
    }

    #[test]
    fn an_empty_cluster_warns() {
        assert_eq!(summarize(&[]).verdict, Verdict::Warn);
    }
}
