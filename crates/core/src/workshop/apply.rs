//! A plan onto the cluster (server-side apply, so a second `create` resumes a half-finished one
//! and changes nothing that is already right), bound tokens, and `delete`/`list` by label.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::config::Cluster;
use kube::{Client, Resource, ResourceExt};
use serde::{Serialize, de::DeserializeOwned};

use super::plan::{LABEL_LEARNER, LABEL_LESSON, LABEL_WORKSHOP, LEARNER_SA, LearnerPlan, Plan};
use super::{WorkshopError, credentials};

const MANAGER: &str = "kubetutor-workshop";
/// Learners are set up this many at a time: enough to hide round trips, few enough not to
/// flood a small apiserver.
const PARALLEL: usize = 8;

/// One learner, ready to join.
#[derive(Debug, Clone)]
pub struct Created {
    pub learner: String,
    pub namespace: String,
    pub kubeconfig: PathBuf,
    /// When the token stops working (the apiserver's answer, RFC 3339).
    pub expires: String,
}

fn api_err(action: &'static str, kind: &'static str, name: &str, e: kube::Error) -> WorkshopError {
    let reason = match &e {
        kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
        other => crate::kube::root_cause(other),
    };
    WorkshopError::Api {
        action,
        kind,
        name: name.to_string(),
        reason,
    }
}

async fn apply<K>(api: Api<K>, obj: &K, kind: &'static str) -> Result<(), WorkshopError>
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    let name = obj.meta().name.clone().unwrap_or_default();
    let params = PatchParams::apply(MANAGER).force();
    api.patch(&name, &params, &Patch::Apply(obj))
        .await
        .map(|_| ())
        .map_err(|e| api_err("apply", kind, &name, e))
}

/// Applies every object of `plan` and writes a kubeconfig per learner into `out`.
pub async fn create(
    client: &Client,
    plan: &Plan,
    cluster: &Cluster,
    out: &std::path::Path,
) -> Result<Vec<Created>, WorkshopError> {
    let mut done: Vec<Created> = futures::stream::iter(&plan.learners)
        .map(|l| create_learner(client, plan, l, cluster, out))
        .buffer_unordered(PARALLEL)
        .try_collect()
        .await?;
    done.sort_by(|a, b| a.learner.cmp(&b.learner));
    Ok(done)
}

async fn create_learner(
    client: &Client,
    plan: &Plan,
    l: &LearnerPlan,
    cluster: &Cluster,
    out: &std::path::Path,
) -> Result<Created, WorkshopError> {
    let ns = l.ns();
    // The namespace first: everything else lives in it.
    apply(
        Api::<Namespace>::all(client.clone()),
        &l.namespace,
        "Namespace",
    )
    .await?;
    let c = || client.clone();
    apply(
        Api::<ServiceAccount>::namespaced(c(), ns),
        &l.service_account,
        "ServiceAccount",
    )
    .await?;
    apply(Api::<Role>::namespaced(c(), ns), &l.role, "Role").await?;
    apply(
        Api::<RoleBinding>::namespaced(c(), ns),
        &l.role_binding,
        "RoleBinding",
    )
    .await?;
    apply(Api::<ClusterRole>::all(c()), &l.cluster_role, "ClusterRole").await?;
    apply(
        Api::<ClusterRoleBinding>::all(c()),
        &l.cluster_role_binding,
        "ClusterRoleBinding",
    )
    .await?;
    apply(
        Api::<ResourceQuota>::namespaced(c(), ns),
        &l.quota,
        "ResourceQuota",
    )
    .await?;
    apply(
        Api::<LimitRange>::namespaced(c(), ns),
        &l.limits,
        "LimitRange",
    )
    .await?;
    let (token, expires) = token(client, ns, plan.spec.duration).await?;
    let config = credentials::learner_kubeconfig(cluster, &plan.spec.name, &l.learner, ns, &token);
    let kubeconfig = credentials::write(out, &l.learner, &config)?;
    Ok(Created {
        learner: l.learner.clone(),
        namespace: ns.to_string(),
        kubeconfig,
        expires,
    })
}

/// A bound token of the learner's ServiceAccount: it dies with the ServiceAccount (so with
/// `workshop delete`) or after `duration`, whichever comes first.
async fn token(
    client: &Client,
    ns: &str,
    duration: Duration,
) -> Result<(String, String), WorkshopError> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    let req = TokenRequest {
        spec: TokenRequestSpec {
            // The apiserver refuses less than ten minutes.
            expiration_seconds: Some(duration.as_secs().max(600) as i64),
            ..Default::default()
        },
        ..Default::default()
    };
    let got = api
        .create_token_request(LEARNER_SA, &PostParams::default(), &req)
        .await
        .map_err(|e| {
            api_err(
                "request a token for",
                "ServiceAccount",
                &format!("{ns}/{LEARNER_SA}"),
                e,
            )
        })?;
    let status = got.status.ok_or_else(|| WorkshopError::Api {
        action: "request a token for",
        kind: "ServiceAccount",
        name: format!("{ns}/{LEARNER_SA}"),
        reason: "the answer had no token".into(),
    })?;
    Ok((status.token, status.expiration_timestamp.0.to_string()))
}

/// What `delete` removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub namespaces: Vec<String>,
    pub cluster_roles: Vec<String>,
    pub cluster_role_bindings: Vec<String>,
}

/// Deletes every object labelled with `workshop` and waits up to `wait` for the namespaces to
/// be gone (their contents, ServiceAccounts included, go with them, so the tokens stop working).
pub async fn delete(
    client: &Client,
    workshop: &str,
    wait: Duration,
) -> Result<Deleted, WorkshopError> {
    let lp = ListParams::default().labels(&Plan::selector(workshop));
    let namespaces = delete_all(Api::<Namespace>::all(client.clone()), &lp, "Namespace").await?;
    let cluster_role_bindings = delete_all(
        Api::<ClusterRoleBinding>::all(client.clone()),
        &lp,
        "ClusterRoleBinding",
    )
    .await?;
    let cluster_roles =
        delete_all(Api::<ClusterRole>::all(client.clone()), &lp, "ClusterRole").await?;
    let api: Api<Namespace> = Api::all(client.clone());
    let deadline = Instant::now() + wait;
    loop {
        let left = api
            .list(&lp)
            .await
            .map_err(|e| api_err("list", "Namespace", workshop, e))?;
        if left.items.is_empty() || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(Deleted {
        namespaces,
        cluster_roles,
        cluster_role_bindings,
    })
}

async fn delete_all<K>(
    api: Api<K>,
    lp: &ListParams,
    kind: &'static str,
) -> Result<Vec<String>, WorkshopError>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let list = api
        .list(lp)
        .await
        .map_err(|e| api_err("list", kind, "", e))?;
    let mut names = Vec::new();
    for obj in list.items {
        let name = obj.name_any();
        match api.delete(&name, &DeleteParams::background()).await {
            Ok(_) => names.push(name),
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(api_err("delete", kind, &name, e)),
        }
    }
    names.sort();
    Ok(names)
}

/// One workshop on the cluster, as its namespaces say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub lesson: String,
    pub learners: Vec<String>,
    /// Namespaces already being deleted.
    pub terminating: usize,
}

/// Every workshop on the cluster (namespaces carrying the workshop label).
pub async fn list(client: &Client) -> Result<Vec<Listed>, WorkshopError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let lp = ListParams::default().labels(LABEL_WORKSHOP);
    let found = api
        .list(&lp)
        .await
        .map_err(|e| api_err("list", "Namespace", "", e))?;
    let mut by: BTreeMap<String, Listed> = BTreeMap::new();
    for ns in found.items {
        let labels = ns.labels();
        let name = labels.get(LABEL_WORKSHOP).cloned().unwrap_or_default();
        let entry = by.entry(name.clone()).or_insert_with(|| Listed {
            name,
            lesson: labels.get(LABEL_LESSON).cloned().unwrap_or_default(),
            learners: Vec::new(),
            terminating: 0,
        });
        entry
            .learners
            .push(labels.get(LABEL_LEARNER).cloned().unwrap_or_default());
        if ns.metadata.deletion_timestamp.is_some() {
            entry.terminating += 1;
        }
    }
    let mut out: Vec<Listed> = by.into_values().collect();
    for w in &mut out {
        w.learners.sort();
    }
    Ok(out)
}
