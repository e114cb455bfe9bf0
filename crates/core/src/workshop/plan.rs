//! The objects of a workshop, computed without a cluster: what `create` applies and what
//! `delete` finds again by its labels.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
    ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::ObjectMeta;

use super::WorkshopError;

pub const LABEL_WORKSHOP: &str = "kubetutor.dev/workshop";
pub const LABEL_LESSON: &str = "kubetutor.dev/lesson";
pub const LABEL_LEARNER: &str = "kubetutor.dev/learner";
/// The ServiceAccount, Role and RoleBinding in every learner namespace share this name.
pub const LEARNER_SA: &str = "learner";

/// What the instructor asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkshopSpec {
    pub name: String,
    /// The lesson's slug (its folder name), for the label and the join command.
    pub lesson: String,
    pub learners: Vec<String>,
    pub duration: Duration,
    /// What each learner's Role allows in their namespace ([`super::rules::for_lesson`]).
    pub rules: Vec<PolicyRule>,
}

/// Every object of one learner.
#[derive(Debug, Clone)]
pub struct LearnerPlan {
    pub learner: String,
    pub namespace: Namespace,
    pub service_account: ServiceAccount,
    pub role: Role,
    pub role_binding: RoleBinding,
    /// `get` on the learner's own Namespace object only (cluster-scoped, so not in the Role):
    /// kubetutor checks that the lesson namespace exists before the first cell.
    pub cluster_role: ClusterRole,
    pub cluster_role_binding: ClusterRoleBinding,
    pub quota: ResourceQuota,
    pub limits: LimitRange,
}

impl LearnerPlan {
    pub fn ns(&self) -> &str {
        self.namespace.metadata.name.as_deref().unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub spec: WorkshopSpec,
    pub learners: Vec<LearnerPlan>,
}

/// Learner names `learner-1..N`, zero-padded so they sort.
pub fn numbered(n: usize) -> Vec<String> {
    let width = n.to_string().len();
    (1..=n).map(|i| format!("learner-{i:0width$}")).collect()
}

/// Names from a file: one a line, lowercased, blank lines and `#` comments skipped.
pub fn names_from_text(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The namespace of `learner` in `workshop`.
pub fn namespace_of(workshop: &str, learner: &str) -> String {
    format!("{workshop}-{learner}")
}

/// A cluster-scoped object's name must not collide across workshops.
fn cluster_name(namespace: &str) -> String {
    format!("kubetutor-workshop-{namespace}")
}

impl Plan {
    pub fn new(spec: WorkshopSpec) -> Result<Self, WorkshopError> {
        label_value("workshop name", &spec.name)?;
        label_value("lesson", &spec.lesson)?;
        let mut seen = std::collections::BTreeSet::new();
        for learner in &spec.learners {
            if !seen.insert(learner) {
                return Err(WorkshopError::DuplicateLearner(learner.clone()));
            }
            label_value("learner name", learner)?;
            dns_label("namespace", &namespace_of(&spec.name, learner))?;
        }
        let learners = spec.learners.iter().map(|l| learner(&spec, l)).collect();
        Ok(Self { spec, learners })
    }

    /// `kubetutor.dev/workshop=NAME`, the selector of everything this workshop created.
    pub fn selector(workshop: &str) -> String {
        format!("{LABEL_WORKSHOP}={workshop}")
    }
}

fn labels(spec: &WorkshopSpec, learner: &str) -> BTreeMap<String, String> {
    [
        (LABEL_WORKSHOP, spec.name.as_str()),
        (LABEL_LESSON, spec.lesson.as_str()),
        (LABEL_LEARNER, learner),
        ("app.kubernetes.io/managed-by", "kubetutor"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn meta(name: &str, namespace: Option<&str>, labels: &BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(String::from),
        labels: Some(labels.clone()),
        ..Default::default()
    }
}

fn learner(spec: &WorkshopSpec, learner: &str) -> LearnerPlan {
    let ns = namespace_of(&spec.name, learner);
    let l = labels(spec, learner);
    let cluster = cluster_name(&ns);
    let subject = Subject {
        kind: "ServiceAccount".into(),
        name: LEARNER_SA.into(),
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    LearnerPlan {
        learner: learner.to_string(),
        namespace: Namespace {
            metadata: meta(&ns, None, &l),
            ..Default::default()
        },
        service_account: ServiceAccount {
            metadata: meta(LEARNER_SA, Some(&ns), &l),
            // A learner never needs a token mounted into the lesson's pods.
            automount_service_account_token: Some(false),
            ..Default::default()
        },
        role: Role {
            metadata: meta(LEARNER_SA, Some(&ns), &l),
            rules: Some(spec.rules.clone()),
        },
        role_binding: RoleBinding {
            metadata: meta(LEARNER_SA, Some(&ns), &l),
            role_ref: role_ref("Role", LEARNER_SA),
            subjects: Some(vec![subject.clone()]),
        },
        cluster_role: ClusterRole {
            metadata: meta(&cluster, None, &l),
            rules: Some(vec![PolicyRule {
                api_groups: Some(vec![String::new()]),
                resources: Some(vec!["namespaces".into()]),
                resource_names: Some(vec![ns.clone()]),
                verbs: vec!["get".into()],
                ..Default::default()
            }]),
            ..Default::default()
        },
        cluster_role_binding: ClusterRoleBinding {
            metadata: meta(&cluster, None, &l),
            role_ref: role_ref("ClusterRole", &cluster),
            subjects: Some(vec![subject]),
        },
        quota: quota(&ns, &l),
        limits: limits(&ns, &l),
    }
}

fn role_ref(kind: &str, name: &str) -> RoleRef {
    RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.into(),
        name: name.into(),
    }
}

fn q(s: &str) -> Quantity {
    Quantity(s.to_string())
}

/// Enough for the lesson's seven pods with room to spare, not enough to starve a shared node.
fn quota(ns: &str, l: &BTreeMap<String, String>) -> ResourceQuota {
    let hard = [
        ("pods", "20"),
        ("requests.cpu", "4"),
        ("requests.memory", "4Gi"),
        ("limits.cpu", "8"),
        ("limits.memory", "8Gi"),
        ("services", "10"),
        ("configmaps", "20"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), q(v)))
    .collect();
    ResourceQuota {
        metadata: meta("workshop", Some(ns), l),
        spec: Some(ResourceQuotaSpec {
            hard: Some(hard),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Defaults for containers that name no resources (the lesson's manifests name none), so the
/// quota above can count them.
fn limits(ns: &str, l: &BTreeMap<String, String>) -> LimitRange {
    let map = |cpu: &str, mem: &str| {
        Some(
            [("cpu".to_string(), q(cpu)), ("memory".to_string(), q(mem))]
                .into_iter()
                .collect(),
        )
    };
    LimitRange {
        metadata: meta("workshop", Some(ns), l),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".into(),
                default_request: map("50m", "64Mi"),
                default: map("500m", "256Mi"),
                max: map("2", "1Gi"),
                ..Default::default()
            }],
        }),
    }
}

/// A label value that is also usable in a namespace name: DNS-1123 label, at most 40
/// characters so `WORKSHOP-LEARNER` stays under 63.
fn label_value(what: &'static str, value: &str) -> Result<(), WorkshopError> {
    if value.len() > 40 {
        return Err(invalid(what, value, "is longer than 40 characters"));
    }
    dns_label(what, value)
}

fn dns_label(what: &'static str, value: &str) -> Result<(), WorkshopError> {
    let reason = if value.is_empty() {
        Some("is empty")
    } else if value.len() > 63 {
        Some("is longer than 63 characters")
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may only contain lowercase letters, digits and '-'")
    } else if value.starts_with('-') || value.ends_with('-') {
        Some("must start and end with a letter or digit")
    } else {
        None
    };
    match reason {
        Some(r) => Err(invalid(what, value, r)),
        None => Ok(()),
    }
}

fn invalid(what: &'static str, value: &str, reason: &'static str) -> WorkshopError {
    WorkshopError::InvalidName {
        what,
        value: value.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(learners: &[&str]) -> WorkshopSpec {
        WorkshopSpec {
            name: "kcd".into(),
            lesson: "redis-sentinel-k8s".into(),
            learners: learners.iter().map(|s| s.to_string()).collect(),
            duration: Duration::from_secs(8 * 3600),
            rules: vec![PolicyRule {
                api_groups: Some(vec![String::new()]),
                resources: Some(vec!["pods".into()]),
                verbs: vec!["get".into()],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn every_object_is_labelled_and_namespaced_to_its_learner() {
        let plan = Plan::new(spec(&["ana", "bo"])).unwrap();
        assert_eq!(plan.learners.len(), 2);
        assert_eq!(plan.learners[0].role.rules, Some(plan.spec.rules.clone()));
        let bo = &plan.learners[1];
        assert_eq!(bo.ns(), "kcd-bo");
        let metas = [
            &bo.namespace.metadata,
            &bo.service_account.metadata,
            &bo.role.metadata,
            &bo.role_binding.metadata,
            &bo.cluster_role.metadata,
            &bo.cluster_role_binding.metadata,
            &bo.quota.metadata,
            &bo.limits.metadata,
        ];
        for m in metas {
            let l = m.labels.as_ref().unwrap();
            assert_eq!(l[LABEL_WORKSHOP], "kcd", "{:?}", m.name);
            assert_eq!(l[LABEL_LEARNER], "bo");
            assert_eq!(l[LABEL_LESSON], "redis-sentinel-k8s");
        }
        for m in &metas[1..4] {
            assert_eq!(m.namespace.as_deref(), Some("kcd-bo"));
        }
        let subject = &bo.role_binding.subjects.as_ref().unwrap()[0];
        assert_eq!(subject.namespace.as_deref(), Some("kcd-bo"));
        // The one cluster-scoped grant names only the learner's own namespace.
        let rule = &bo.cluster_role.rules.as_ref().unwrap()[0];
        assert_eq!(
            rule.resource_names.as_deref(),
            Some(&["kcd-bo".to_string()][..])
        );
        assert_eq!(rule.verbs, ["get"]);
        assert_ne!(
            plan.learners[0].cluster_role.metadata.name,
            bo.cluster_role.metadata.name
        );
    }

    #[test]
    fn bad_names_are_refused_with_the_reason() {
        let err = Plan::new(spec(&["Ana"])).unwrap_err().to_string();
        assert!(
            err.contains("learner name \"Ana\"") && err.contains("lowercase"),
            "{err}"
        );
        let err = Plan::new(spec(&["bo", "bo"])).unwrap_err().to_string();
        assert!(err.contains("listed twice"), "{err}");
        let long = "x".repeat(41);
        assert!(Plan::new(spec(&[&long])).is_err());
        let mut s = spec(&["a"]);
        s.name = "my_ws".into();
        assert!(
            Plan::new(s)
                .unwrap_err()
                .to_string()
                .contains("workshop name")
        );
    }

    #[test]
    fn names_come_numbered_or_from_a_file() {
        assert_eq!(numbered(3), ["learner-1", "learner-2", "learner-3"]);
        assert_eq!(numbered(10)[0], "learner-01");
        let got = names_from_text("# room 1\nAna\n\n  bo # late\n");
        assert_eq!(got, ["ana", "bo"]);
    }
}
