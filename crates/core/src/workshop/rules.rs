//! A learner's Role from the lesson itself: what its `kubectl` commands do (the verb, the
//! resource types named or found in the manifests they read with `-f`) and what kubetutor's
//! own panes and progress need, in the learner's namespace and nothing more. A command whose
//! resource cannot be known before it runs (`kubectl get $KIND`) is reported, not guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use k8s_openapi::api::rbac::v1::PolicyRule;
use serde::Deserialize as _;

use crate::lesson::shell::{Word, scan};
use crate::lesson::{KUBECTL_GLOBAL_WITH_VALUE, Lesson, kubectl_files, split_assignments};

/// The rules and what could not be derived (one line per command, for the instructor).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    pub rules: Vec<PolicyRule>,
    pub unknown: Vec<String>,
}

const READ: &[&str] = &["get", "list", "watch"];

/// (API group, resource) -> verbs.
#[derive(Default)]
struct Grants(BTreeMap<(String, String), BTreeSet<String>>);

impl Grants {
    fn add(&mut self, (group, resource): (&str, &str), verbs: &[&str]) {
        let set = self
            .0
            .entry((group.to_string(), resource.to_string()))
            .or_default();
        set.extend(verbs.iter().map(|v| v.to_string()));
    }

    /// One rule per API group and verb set, resources sorted: short and deterministic.
    fn rules(self) -> Vec<PolicyRule> {
        let mut by: BTreeMap<(String, Vec<String>), Vec<String>> = BTreeMap::new();
        for ((group, resource), verbs) in self.0 {
            by.entry((group, verbs.into_iter().collect()))
                .or_default()
                .push(resource);
        }
        by.into_iter()
            .map(|((group, verbs), resources)| PolicyRule {
                api_groups: Some(vec![group]),
                resources: Some(resources),
                verbs,
                ..Default::default()
            })
            .collect()
    }
}

/// The Role a learner needs for `lesson`.
pub fn for_lesson(lesson: &Lesson) -> Derived {
    let mut grants = Grants::default();
    let mut unknown = Vec::new();
    // kubetutor itself: its progress ConfigMap, and the watches of its panes.
    grants.add(("", "configmaps"), &["get", "create", "update", "patch"]);
    if lesson.meta.panes.pods.is_some() {
        grants.add(("", "pods"), READ);
        grants.add(("", "events"), READ);
        grants.add(("events.k8s.io", "events"), READ);
    }
    if let Some(s) = &lesson.meta.panes.sentinel
        && s.service.is_some()
    {
        grants.add(("", "services"), &["get"]);
        grants.add(("", "pods"), READ);
        grants.add(("", "endpoints"), READ);
        grants.add(("discovery.k8s.io", "endpointslices"), READ);
        grants.add(("", "pods/portforward"), &["get", "create"]);
    }
    let base = lesson.workdir();
    for cell in lesson.cells().into_iter().filter(|c| c.is_runnable()) {
        let dir = match &cell.attrs.cwd {
            Some(c) => base.join(c),
            None => base.clone(),
        };
        for cmd in scan(&cell.code).commands {
            let (_, start) = split_assignments(&cmd);
            let Some(name) = cmd.get(start) else { continue };
            let program = crate::lesson::model::program_of(&name.text);
            if !matches!(program, "kubectl" | "oc") {
                continue;
            }
            let args = &cmd[start + 1..];
            if let Err(what) = kubectl(args, &dir, &mut grants) {
                unknown.push(format!("cell `{}`: {what}", cell.id));
            }
        }
    }
    Derived {
        rules: grants.rules(),
        unknown,
    }
}

/// Subcommand flags that take a value (their value is not a positional argument); the global
/// ones are [`KUBECTL_GLOBAL_WITH_VALUE`].
const WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-l",
    "--selector",
    "-c",
    "--container",
    "--field-selector",
    "--for",
    "--timeout",
    "--replicas",
    "-L",
    "--label-columns",
    "--sort-by",
    "-f",
    "--filename",
    "-k",
    "--kustomize",
    "--from-file",
    "--from-literal",
    "--image",
    "--type",
];

/// The grants one `kubectl` command needs; Err names what cannot be known.
fn kubectl(args: &[Word], dir: &Path, grants: &mut Grants) -> Result<(), String> {
    // A `--` ends kubectl's own arguments (what follows runs in the container).
    let own: Vec<Word> = args
        .iter()
        .take_while(|w| w.text != "--")
        .cloned()
        .collect();
    let mut plain = Vec::new();
    let mut skip = false;
    for w in &own {
        if skip {
            skip = false;
        } else if WITH_VALUE.contains(&w.text.as_str())
            || KUBECTL_GLOBAL_WITH_VALUE.contains(&w.text.as_str())
        {
            skip = true;
        } else if !w.text.starts_with('-') {
            plain.push(w);
        }
    }
    let Some(verb) = plain.first() else {
        return Ok(()); // `kubectl --help`, `kubectl version --client`
    };
    if verb.dynamic {
        return Err(format!(
            "`kubectl {}`: the subcommand is not known",
            verb.text
        ));
    }
    let watch = own
        .iter()
        .any(|w| matches!(w.text.as_str(), "-w" | "--watch"));
    let files = kubectl_files(args);
    let mut kinds = Vec::new();
    for f in &files {
        if f.dynamic {
            return Err(format!("`-f {}`: the file is not known", f.text));
        }
        kinds.extend(
            manifest_kinds(&dir.join(&f.text)).map_err(|e| format!("`-f {}`: {e}", f.text))?,
        );
    }
    let typed = |i: usize| -> Result<Vec<(&'static str, &'static str)>, String> {
        let Some(w) = plain.get(i) else {
            return Err(format!("`kubectl {}` names no resource", verb.text));
        };
        if w.dynamic {
            return Err(format!(
                "`kubectl {} {}`: the resource is not known",
                verb.text, w.text
            ));
        }
        resources_of(&w.text)
    };
    let of = |i: usize| -> Result<Vec<(&'static str, &'static str)>, String> {
        if files.is_empty() {
            typed(i)
        } else {
            Ok(kinds.clone())
        }
    };
    let each = |grants: &mut Grants, rs: Vec<(&str, &str)>, verbs: &[&str]| {
        for r in rs {
            grants.add(r, verbs);
        }
    };
    match verb.text.as_str() {
        "get" | "describe" => {
            let mut verbs = READ.to_vec();
            if !watch {
                verbs.retain(|v| *v != "watch");
            }
            each(grants, of(1)?, &verbs);
            if verb.text == "describe" {
                grants.add(("", "events"), &["list"]);
            }
        }
        "wait" => each(grants, of(1)?, READ),
        // `kubectl create -f x.yaml`, or `create configmap NAME ...`
        "create" => each(grants, of(1)?, &["create"]),
        "apply" | "replace" => each(grants, of(1)?, &["get", "create", "patch", "update"]),
        "delete" => each(grants, of(1)?, &["get", "list", "delete"]),
        "label" | "annotate" | "patch" | "edit" | "set" => {
            each(grants, of(1)?, &["get", "patch"]);
        }
        "scale" => {
            for (group, resource) in of(1)? {
                grants.add((group, resource), &["get"]);
                let scale = format!("{resource}/scale");
                grants.add((group, &scale), &["get", "update", "patch"]);
            }
        }
        "rollout" => {
            for (group, resource) in of(2)? {
                grants.add((group, resource), &["get", "list", "watch", "patch"]);
            }
            grants.add(("apps", "replicasets"), READ);
        }
        "logs" | "attach" => {
            grants.add(("", "pods"), &["get", "list"]);
            grants.add(("", "pods/log"), &["get"]);
        }
        "exec" | "cp" => {
            grants.add(("", "pods"), &["get"]);
            grants.add(("", "pods/exec"), &["get", "create"]);
        }
        "port-forward" => {
            grants.add(("", "pods"), &["get", "list"]);
            grants.add(("", "services"), &["get"]);
            grants.add(("", "pods/portforward"), &["get", "create"]);
        }
        "run" => grants.add(("", "pods"), &["get", "create", "delete"]),
        "expose" => {
            grants.add(("", "services"), &["create"]);
            each(grants, of(1)?, &["get"]);
        }
        "top" => grants.add(("metrics.k8s.io", "pods"), &["get", "list"]),
        // Client-side only, or about the client itself.
        "config" | "version" | "explain" | "api-resources" | "api-versions" | "completion"
        | "auth" | "cluster-info" | "plugin" | "kustomize" | "help" | "options" => {}
        other => return Err(format!("`kubectl {other}`: not known to kubetutor's role")),
    }
    Ok(())
}

/// `pods`, `po/redis-0`, `rc,svc`, `deployment.apps/web` -> (group, resource) each.
fn resources_of(arg: &str) -> Result<Vec<(&'static str, &'static str)>, String> {
    let types = arg.split('/').next().unwrap_or(arg);
    types
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let t = t.split('.').next().unwrap_or(t).to_ascii_lowercase();
            resource(&t).ok_or_else(|| format!("`{t}`: a resource type kubetutor does not know"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|v| v.into_iter().flatten().collect())
}

/// The resource types of a name kubectl accepts (singular, plural, short, kind).
fn resource(name: &str) -> Option<Vec<(&'static str, &'static str)>> {
    let one = |g, r| Some(vec![(g, r)]);
    match name {
        "po" | "pod" | "pods" => one("", "pods"),
        "svc" | "service" | "services" => one("", "services"),
        "rc" | "replicationcontroller" | "replicationcontrollers" => {
            one("", "replicationcontrollers")
        }
        "cm" | "configmap" | "configmaps" => one("", "configmaps"),
        "secret" | "secrets" => one("", "secrets"),
        "ep" | "endpoints" => one("", "endpoints"),
        "ev" | "event" | "events" => one("", "events"),
        "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => {
            one("", "persistentvolumeclaims")
        }
        "sa" | "serviceaccount" | "serviceaccounts" => one("", "serviceaccounts"),
        "deploy" | "deployment" | "deployments" => one("apps", "deployments"),
        "rs" | "replicaset" | "replicasets" => one("apps", "replicasets"),
        "sts" | "statefulset" | "statefulsets" => one("apps", "statefulsets"),
        "ds" | "daemonset" | "daemonsets" => one("apps", "daemonsets"),
        "job" | "jobs" => one("batch", "jobs"),
        "cj" | "cronjob" | "cronjobs" => one("batch", "cronjobs"),
        "ing" | "ingress" | "ingresses" => one("networking.k8s.io", "ingresses"),
        "netpol" | "networkpolicy" | "networkpolicies" => {
            one("networking.k8s.io", "networkpolicies")
        }
        "pdb" | "poddisruptionbudget" | "poddisruptionbudgets" => {
            one("policy", "poddisruptionbudgets")
        }
        "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers" => {
            one("autoscaling", "horizontalpodautoscalers")
        }
        // kubectl's `all` category.
        "all" => Some(vec![
            ("", "pods"),
            ("", "services"),
            ("", "replicationcontrollers"),
            ("apps", "deployments"),
            ("apps", "replicasets"),
            ("apps", "statefulsets"),
            ("apps", "daemonsets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
            ("autoscaling", "horizontalpodautoscalers"),
        ]),
        _ => None,
    }
}

/// The resource types of the objects in a manifest file (every YAML document's `kind`).
fn manifest_kinds(path: &Path) -> Result<Vec<(&'static str, &'static str)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let value = serde_yaml::Value::deserialize(doc).map_err(|e| e.to_string())?;
        let Some(kind) = value.get("kind").and_then(|k| k.as_str()) else {
            continue;
        };
        let kinds = resource(&kind.to_ascii_lowercase())
            .ok_or_else(|| format!("kind `{kind}`: a resource type kubetutor does not know"))?;
        out.extend(kinds);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(rules: &[PolicyRule], resource: &str, verb: &str) -> bool {
        rules.iter().any(|r| {
            r.resources.as_ref().unwrap().iter().any(|x| x == resource)
                && r.verbs.iter().any(|v| v == verb)
        })
    }

    #[test]
    fn the_kubernetes_lesson_gets_what_its_commands_and_panes_do() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../lessons/redis-sentinel-k8s/lesson.md");
        let lesson = crate::lesson::load(&path.display().to_string(), None).expect("lesson");
        let d = for_lesson(&lesson);
        assert!(d.unknown.is_empty(), "{:?}", d.unknown);
        for (res, verb) in [
            ("pods", "create"),
            ("pods", "delete"),
            ("pods", "watch"),
            ("services", "create"),
            ("replicationcontrollers", "create"),
            ("replicationcontrollers/scale", "patch"),
            ("configmaps", "create"),
            ("configmaps", "update"),
            ("pods/exec", "create"),
            ("pods/log", "get"),
            ("pods/portforward", "create"),
            ("endpointslices", "watch"),
            ("events", "watch"),
        ] {
            assert!(grants(&d.rules, res, verb), "{res} {verb}: {:#?}", d.rules);
        }
        assert!(!grants(&d.rules, "secrets", "get"));
        assert!(
            !grants(&d.rules, "deployments", "create"),
            "not in the lesson"
        );
        assert!(d.rules.iter().all(|r| !r.verbs.iter().any(|v| v == "*")));
    }

    #[test]
    fn commands_name_their_resources_and_the_unknowable_is_reported() {
        let mut g = Grants::default();
        let dir = Path::new("/nonexistent");
        let words = |s: &str| scan(s).commands.remove(0)[1..].to_vec();
        kubectl(&words("kubectl -n x get deploy,svc -o wide"), dir, &mut g).unwrap();
        kubectl(&words("kubectl rollout status deployment/web"), dir, &mut g).unwrap();
        kubectl(&words("kubectl exec web-0 -c app -- ls -f"), dir, &mut g).unwrap();
        kubectl(&words("kubectl logs -f web-0"), dir, &mut g).unwrap();
        let rules = g.rules();
        assert!(grants(&rules, "deployments", "list"));
        assert!(
            grants(&rules, "deployments", "watch"),
            "rollout status watches"
        );
        assert!(!grants(&rules, "services", "watch"), "get without -w");
        assert!(grants(&rules, "pods/exec", "create"));
        assert!(grants(&rules, "pods/log", "get"));
        let mut g = Grants::default();
        let err = kubectl(&words("kubectl get $KIND"), dir, &mut g).unwrap_err();
        assert!(err.contains("not known"), "{err}");
        let err = kubectl(&words("kubectl create -f gone.yaml"), dir, &mut g).unwrap_err();
        assert!(err.contains("gone.yaml"), "{err}");
        let err = kubectl(&words("kubectl get widgets"), dir, &mut g).unwrap_err();
        assert!(err.contains("widgets"), "{err}");
    }
}
