//! manifests/redis-sentinel as typed Kubernetes objects.
//!
//! `kubectl apply --dry-run=client` needs an API server even in client mode (it downloads the
//! OpenAPI schema and the discovery document), so offline the typed round trip below is the
//! check: a misspelled or unknown field is dropped by the k8s-openapi types and shows up as a
//! difference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Pod, PodTemplateSpec, ReplicationController, Service,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::common::root;

pub const FILES: [&str; 5] = [
    "redis-scripts.yaml",
    "redis-master.yaml",
    "redis-sentinel-service.yaml",
    "redis-controller.yaml",
    "redis-sentinel-controller.yaml",
];

pub fn dir() -> PathBuf {
    root().join("manifests/redis-sentinel")
}

/// Every YAML document of a file, as JSON.
pub fn documents(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| {
            let yaml: serde_yaml::Value = serde::Deserialize::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        })
        .filter(|doc| !doc.is_null())
        .collect()
}

/// Typed -> JSON must give back exactly what the file says.
pub fn round_trip<T: DeserializeOwned + Serialize>(doc: &Value, what: &str) -> T {
    try_round_trip(doc).unwrap_or_else(|e| panic!("{what}: {e}"))
}

pub fn try_round_trip<T: DeserializeOwned + Serialize>(doc: &Value) -> Result<T, String> {
    let typed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    match first_difference(doc, &back, String::new()) {
        Some(diff) => Err(format!("{diff} (a misspelled or unknown field?)")),
        None => Ok(typed),
    }
}

pub fn first_difference(want: &Value, got: &Value, at: String) -> Option<String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            let keys: std::collections::BTreeSet<&String> = w.keys().chain(g.keys()).collect();
            keys.into_iter().find_map(|k| match (w.get(k), g.get(k)) {
                (Some(a), Some(b)) => first_difference(a, b, format!("{at}/{k}")),
                (Some(a), None) => Some(format!("{at}/{k}: {a} is lost when typed")),
                (None, Some(b)) => Some(format!("{at}/{k}: {b} appears when typed")),
                (None, None) => None,
            })
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => w
            .iter()
            .zip(g)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, format!("{at}/{i}"))),
        _ if want == got => None,
        _ => Some(format!("{at}: file says {want}, typed gives {got}")),
    }
}

#[derive(Default)]
pub struct Objects {
    pub pods: BTreeMap<String, Pod>,
    pub services: BTreeMap<String, Service>,
    pub rcs: BTreeMap<String, ReplicationController>,
    pub config_maps: BTreeMap<String, ConfigMap>,
}

pub fn load_all() -> Objects {
    let mut objects = Objects::default();
    for file in FILES {
        let docs = documents(&dir().join(file));
        assert!(!docs.is_empty(), "{file}: no documents");
        for (i, doc) in docs.iter().enumerate() {
            let what = format!("{file} document {}", i + 1);
            assert_eq!(doc["apiVersion"], "v1", "{what}: apiVersion");
            let name = doc["metadata"]["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no metadata.name"))
                .to_string();
            match doc["kind"].as_str() {
                Some("Pod") => drop(objects.pods.insert(name, round_trip(doc, &what))),
                Some("Service") => drop(objects.services.insert(name, round_trip(doc, &what))),
                Some("ReplicationController") => {
                    drop(objects.rcs.insert(name, round_trip(doc, &what)))
                }
                Some("ConfigMap") => drop(objects.config_maps.insert(name, round_trip(doc, &what))),
                other => panic!("{what}: unexpected kind {other:?}"),
            }
        }
    }
    objects
}

pub type Labels = BTreeMap<String, String>;

pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub fn pod_labels(pod: &Pod) -> Labels {
    pod.metadata.labels.clone().unwrap_or_default()
}

pub fn template(rc: &ReplicationController) -> &PodTemplateSpec {
    rc.spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .expect("an RC has a pod template")
}

pub fn template_labels(rc: &ReplicationController) -> Labels {
    template(rc)
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

pub fn rc_selector(rc: &ReplicationController) -> Labels {
    rc.spec
        .as_ref()
        .and_then(|s| s.selector.clone())
        .expect("an RC has a selector")
}

pub fn containers(o: &Objects) -> Vec<(String, &Container, &k8s_openapi::api::core::v1::PodSpec)> {
    let mut out = Vec::new();
    for (name, pod) in &o.pods {
        let spec = pod.spec.as_ref().expect("pod spec");
        out.extend(
            spec.containers
                .iter()
                .map(|c| (format!("pod {name}/{}", c.name), c, spec)),
        );
    }
    for (name, rc) in &o.rcs {
        let spec = template(rc).spec.as_ref().expect("template spec");
        out.extend(
            spec.containers
                .iter()
                .map(|c| (format!("rc {name}/{}", c.name), c, spec)),
        );
    }
    out
}
