//! The cluster half of `kubetutor doctor`: is the API answering, may the user do what lessons
//! do (SelfSubjectAccessReview), does the lesson namespace exist, which nodes run pods (with
//! their kubelet and container runtime, see [`super::nodes`]). Every call shares one deadline.

use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use tokio::time::{Instant, timeout_at};

use super::doctor::Check;

/// What lessons do to the cluster: the RBAC the doctor checks.
pub const VERBS: [&str; 4] = ["create", "list", "watch", "delete"];
pub const RESOURCES: [&str; 3] = ["pods", "services", "replicationcontrollers"];

/// The API server check, then (if it answered) RBAC and the namespace, all before `deadline`.
pub async fn cluster_checks(
    client: &kube::Client,
    server: &str,
    namespace: &str,
    deadline: Instant,
    budget: Duration,
) -> Vec<Check> {
    let version = match timeout_at(deadline, client.apiserver_version()).await {
        Ok(Ok(info)) => Check::ok(
            "api",
            format!("{server} answers, Kubernetes {}", info.git_version),
        ),
        Ok(Err(err)) => return vec![api_failure(server, &err)],
        Err(_) => {
            return vec![Check::fail(
                "api",
                format!("no answer from {server} within {}s", budget.as_secs()),
                "is the cluster running? (`kind get clusters`, `minikube status`, `scripts/cluster up`); check the server URL and any VPN",
            )];
        }
    };
    let rbac = match timeout_at(deadline, rbac(client, namespace)).await {
        Ok(check) => check,
        Err(_) => Check::fail(
            "rbac",
            "access review timed out".into(),
            "retry; the API server is slow",
        ),
    };
    let ns = match timeout_at(deadline, namespace_check(client, namespace)).await {
        Ok(check) => check,
        Err(_) => Check::warn(
            "namespace",
            format!("{namespace}: lookup timed out"),
            "retry",
        ),
    };
    let nodes = match timeout_at(deadline, super::nodes::node_check(client)).await {
        Ok(check) => check,
        Err(_) => Check::warn("nodes", "listing nodes timed out".into(), "retry"),
    };
    vec![version, rbac, ns, nodes]
}

fn api_failure(server: &str, err: &kube::Error) -> Check {
    match err {
        kube::Error::Api(s) if s.code == 401 => Check::fail(
            "api",
            format!("{server} rejected the credentials (401)"),
            "log in again or refresh the token in your kubeconfig",
        ),
        kube::Error::Api(s) => Check::fail(
            "api",
            format!("{server} answered {}: {}", s.code, s.message),
            "check the server URL in your kubeconfig",
        ),
        other => Check::fail(
            "api",
            format!("cannot reach {server}: {}", super::root_cause(other)),
            "is the cluster running? (`kind get clusters`, `minikube status`, `scripts/cluster up`)",
        ),
    }
}

/// One review per verb and resource, sent together.
async fn rbac(client: &kube::Client, namespace: &str) -> Check {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let asks: Vec<(&str, &str)> = RESOURCES
        .iter()
        .flat_map(|r| VERBS.iter().map(move |v| (*v, *r)))
        .collect();
    let answers = join_all(asks.iter().map(|(verb, resource)| {
        let review = review(namespace, verb, resource);
        let api = api.clone();
        async move { api.create(&PostParams::default(), &review).await }
    }))
    .await;
    let mut denied = Vec::new();
    for ((verb, resource), answer) in asks.iter().zip(answers) {
        match answer {
            Ok(r) if r.status.as_ref().is_some_and(|s| s.allowed) => {}
            Ok(_) => denied.push(format!("{verb} {resource}")),
            Err(err) => {
                return Check::fail(
                    "rbac",
                    format!(
                        "cannot ask the API what you may do: {}",
                        super::root_cause(&err)
                    ),
                    "kubectl auth can-i --list -n NAMESPACE shows your permissions",
                );
            }
        }
    }
    if denied.is_empty() {
        let what = format!(
            "create/list/watch/delete {} in {namespace}",
            RESOURCES.join(", ")
        );
        Check::ok("rbac", what)
    } else {
        Check::fail(
            "rbac",
            format!("not allowed in {namespace}: {}", denied.join(", ")),
            &format!("ask your cluster admin for a Role granting these in namespace {namespace}"),
        )
    }
}

/// A review of `verb resource` in `namespace` (empty: cluster-scoped, e.g. namespaces).
fn review(namespace: &str, verb: &str, resource: &str) -> SelfSubjectAccessReview {
    SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.to_string()).filter(|n| !n.is_empty()),
                verb: Some(verb.to_string()),
                resource: Some(resource.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn namespace_check(client: &kube::Client, namespace: &str) -> Check {
    match super::namespace::exists(client, namespace).await {
        Ok(true) => Check::ok("namespace", format!("{namespace} exists")),
        Ok(false) => match may_create_namespaces(client).await {
            Ok(true) => Check::warn(
                "namespace",
                format!("{namespace} does not exist yet"),
                "kubetutor creates it on the first run (after asking)",
            ),
            Ok(false) => Check::fail(
                "namespace",
                format!("{namespace} does not exist and you may not create namespaces"),
                &format!(
                    "ask your cluster admin to create {namespace}, or pick yours with --namespace"
                ),
            ),
            Err(err) => Check::warn(
                "namespace",
                format!("{namespace} does not exist; cannot tell whether you may create it: {err}"),
                "kubectl auth can-i create namespaces",
            ),
        },
        Err(err) => Check::warn(
            "namespace",
            format!("cannot look up {namespace}: {err}"),
            "see the rbac line",
        ),
    }
}

async fn may_create_namespaces(client: &kube::Client) -> Result<bool, String> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api
        .create(&PostParams::default(), &review("", "create", "namespaces"))
        .await;
    match answer {
        Ok(r) => Ok(r.status.is_some_and(|s| s.allowed)),
        Err(err) => Err(super::root_cause(&err)),
    }
}
