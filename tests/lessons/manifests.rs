//! manifests/redis-sentinel: every document is a valid object of its kind, labels and selectors
//! tell the lesson's story, and the start script is sound.
//!
//! `kubectl apply --dry-run=client` needs an API server even in client mode (it downloads the
//! OpenAPI schema and the discovery document), so offline the typed round trip below is the
//! check: a misspelled or unknown field is dropped by the k8s-openapi types and shows up as a
//! difference. With `KUBETUTOR_E2E_KUBECONFIG` set, kubectl is asked as well.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Pod, PodTemplateSpec, ReplicationController, Service,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::common::root;

const FILES: [&str; 5] = [
    "redis-scripts.yaml",
    "redis-master.yaml",
    "redis-sentinel-service.yaml",
    "redis-controller.yaml",
    "redis-sentinel-controller.yaml",
];

fn dir() -> PathBuf {
    root().join("manifests/redis-sentinel")
}

/// Every YAML document of a file, as JSON.
fn documents(file: &Path) -> Vec<Value> {
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
fn round_trip<T: DeserializeOwned + Serialize>(doc: &Value, what: &str) -> T {
    let typed: T = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = serde_json::to_value(&typed).expect("typed objects serialize");
    if let Some(diff) = first_difference(doc, &back, String::new()) {
        panic!("{what}: {diff} (a misspelled or unknown field?)");
    }
    typed
}

fn first_difference(want: &Value, got: &Value, at: String) -> Option<String> {
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
struct Objects {
    pods: BTreeMap<String, Pod>,
    services: BTreeMap<String, Service>,
    rcs: BTreeMap<String, ReplicationController>,
    config_maps: BTreeMap<String, ConfigMap>,
}

fn load_all() -> Objects {
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

#[test]
fn every_manifest_is_a_valid_object_of_its_kind() {
    let o = load_all();
    assert_eq!(o.pods.keys().collect::<Vec<_>>(), ["redis-master"]);
    assert_eq!(o.services.keys().collect::<Vec<_>>(), ["redis-sentinel"]);
    assert_eq!(
        o.rcs.keys().collect::<Vec<_>>(),
        ["redis", "redis-sentinel"]
    );
    assert_eq!(o.config_maps.keys().collect::<Vec<_>>(), ["redis-scripts"]);
}

#[test]
fn the_round_trip_catches_a_misspelled_field() {
    let mut doc = documents(&dir().join("redis-controller.yaml")).remove(0);
    doc["spec"]["replica"] = Value::from(3);
    let caught = std::panic::catch_unwind(|| round_trip::<ReplicationController>(&doc, "typo"));
    assert!(
        caught.is_err(),
        "spec.replica (for replicas) went unnoticed"
    );
}

type Labels = BTreeMap<String, String>;

fn matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn pod_labels(pod: &Pod) -> Labels {
    pod.metadata.labels.clone().unwrap_or_default()
}

fn template(rc: &ReplicationController) -> &PodTemplateSpec {
    rc.spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .expect("an RC has a pod template")
}

fn template_labels(rc: &ReplicationController) -> Labels {
    template(rc)
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

fn rc_selector(rc: &ReplicationController) -> Labels {
    rc.spec
        .as_ref()
        .and_then(|s| s.selector.clone())
        .expect("an RC has a selector")
}

#[test]
fn labels_and_selectors_tell_the_story() {
    let o = load_all();
    let bootstrap = pod_labels(&o.pods["redis-master"]);
    let (redis, sentinel) = (&o.rcs["redis"], &o.rcs["redis-sentinel"]);
    let service = o.services["redis-sentinel"]
        .spec
        .as_ref()
        .and_then(|s| s.selector.clone())
        .expect("selector");

    for (name, rc) in &o.rcs {
        assert!(
            matches(&rc_selector(rc), &template_labels(rc)),
            "rc {name}: selector does not select its own pods"
        );
        assert_eq!(
            rc.spec.as_ref().and_then(|s| s.replicas),
            Some(1),
            "rc {name}: the lesson starts at replicas 1"
        );
    }
    // Both controllers could adopt the bootstrap pod: that is the lesson's story.
    assert!(
        matches(&rc_selector(redis), &bootstrap),
        "rc redis must select redis-master"
    );
    assert!(
        matches(&rc_selector(sentinel), &bootstrap),
        "rc redis-sentinel must select redis-master"
    );
    // But neither may adopt the other's pods.
    assert!(
        !matches(&rc_selector(sentinel), &template_labels(redis)),
        "rc redis-sentinel would adopt redis pods"
    );
    assert!(
        !matches(&rc_selector(redis), &template_labels(sentinel)),
        "rc redis would adopt sentinel pods"
    );
    // The service leads to every sentinel and to nothing else.
    assert!(
        matches(&service, &bootstrap) && matches(&service, &template_labels(sentinel)),
        "service misses sentinels"
    );
    assert!(
        !matches(&service, &template_labels(redis)),
        "service leads to redis servers without a sentinel"
    );
    // The selectors the k8s lesson uses in its cells.
    let role = |v: &str| Labels::from([("role".to_string(), v.to_string())]);
    assert!(
        matches(&role("sentinel"), &template_labels(sentinel))
            && !matches(&role("sentinel"), &bootstrap)
    );
    assert!(!matches(&role("sentinel"), &template_labels(redis)));
    assert!(
        !template_labels(redis).contains_key("role"),
        "`-l name=redis,role!=master` must pick a replica pod"
    );
}

#[test]
fn the_pods_pane_selector_covers_every_pod() {
    let lesson = root().join("lessons/redis-sentinel-k8s/lesson.md");
    let lesson = kubetutor::lesson::load(lesson.to_str().expect("UTF-8"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let selector = lesson
        .meta
        .panes
        .pods
        .and_then(|p| p.selector)
        .expect("the k8s lesson has a pods pane selector");
    // The one form the lesson uses: `KEY in (A, B)`.
    let (key, values) = selector.split_once(" in ").expect("`KEY in (...)`");
    let values: Vec<&str> = values
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .collect();
    let o = load_all();
    let mut all: Vec<Labels> = o.rcs.values().map(template_labels).collect();
    all.push(pod_labels(&o.pods["redis-master"]));
    for labels in all {
        let value = labels.get(key.trim()).map(String::as_str).unwrap_or("");
        assert!(
            values.contains(&value),
            "pods labelled {labels:?} are not in the pods pane ({selector})"
        );
    }
}

fn containers(o: &Objects) -> Vec<(String, &Container, &k8s_openapi::api::core::v1::PodSpec)> {
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

#[test]
fn every_container_runs_the_script_on_the_official_image() {
    let o = load_all();
    let all = containers(&o);
    assert_eq!(
        all.len(),
        4,
        "master + sentinel in the bootstrap pod, one container per RC"
    );
    for (what, c, spec) in all {
        assert_eq!(c.image.as_deref(), Some("redis:7"), "{what}: image");
        assert_eq!(
            c.command.as_deref(),
            Some(&["bash".to_string(), "/scripts/run.sh".to_string()][..]),
            "{what}"
        );
        let env = c.env.as_deref().unwrap_or_default();
        let pod_ip = env
            .iter()
            .find(|e| e.name == "POD_IP")
            .unwrap_or_else(|| panic!("{what}: no POD_IP"));
        let field = pod_ip
            .value_from
            .as_ref()
            .and_then(|v| v.field_ref.as_ref())
            .map(|f| f.field_path.as_str());
        assert_eq!(
            field,
            Some("status.podIP"),
            "{what}: POD_IP must come from the downward API"
        );
        let mounts = c.volume_mounts.as_deref().unwrap_or_default();
        let volume_at = |path: &str| {
            let mount = mounts.iter().find(|m| m.mount_path == path)?;
            spec.volumes
                .as_deref()
                .unwrap_or_default()
                .iter()
                .find(|v| v.name == mount.name)
        };
        let scripts =
            volume_at("/scripts").unwrap_or_else(|| panic!("{what}: /scripts is not mounted"));
        let cm = scripts.config_map.as_ref().map(|c| c.name.as_str());
        assert!(
            cm.is_some_and(|n| o.config_maps.contains_key(n)),
            "{what}: /scripts is not a bundled ConfigMap"
        );
        let is_sentinel = env
            .iter()
            .any(|e| e.name == "SENTINEL" && e.value.as_deref() == Some("true"));
        if is_sentinel {
            // run.sh writes /data/sentinel.conf, and Sentinel must be able to rewrite it.
            let data = volume_at("/data")
                .unwrap_or_else(|| panic!("{what}: sentinel without a /data volume"));
            assert!(
                data.empty_dir.is_some(),
                "{what}: /data must be a writable emptyDir"
            );
            assert!(
                c.ports
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p.container_port == 26379),
                "{what}"
            );
        } else {
            assert!(
                c.ports
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p.container_port == 6379),
                "{what}"
            );
        }
    }
}

#[test]
fn the_config_map_carries_the_same_script_as_image_run_sh() {
    let o = load_all();
    let script = std::fs::read_to_string(dir().join("image/run.sh")).expect("image/run.sh");
    let data = o.config_maps["redis-scripts"]
        .data
        .clone()
        .unwrap_or_default();
    assert_eq!(
        data.get("run.sh"),
        Some(&script),
        "redis-scripts.yaml and image/run.sh differ: copy one to the other"
    );
    for must in [
        "DATA_DIR:-/data",
        "$DATA_DIR/sentinel.conf",
        "sentinel announce-ip",
        "--replica-announce-ip",
        "--replicaof",
    ] {
        assert!(script.contains(must), "run.sh lost `{must}`");
    }
    let out = Command::new("bash")
        .arg("-n")
        .arg(dir().join("image/run.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash -n run.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_k8s_lesson_names_only_files_that_exist() {
    let text = std::fs::read_to_string(root().join("lessons/redis-sentinel-k8s/lesson.md"))
        .expect("lesson");
    let mut named = 0;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0] == "-f" || pair[0] == "cat" {
                named += 1;
                assert!(
                    dir().join(pair[1]).is_file(),
                    "the lesson names {} which is not in manifests/",
                    pair[1]
                );
            }
        }
    }
    assert!(
        named >= 6,
        "expected the lesson to create and show the manifests, found {named} file names"
    );
}

/// kubectl's own validation, when a cluster is configured for the end-to-end tests.
#[test]
fn kubectl_accepts_every_manifest_when_a_cluster_is_configured() {
    let Ok(kubeconfig) = std::env::var("KUBETUTOR_E2E_KUBECONFIG") else {
        eprintln!(
            "skipped: kubectl --dry-run=client needs an API server; set KUBETUTOR_E2E_KUBECONFIG"
        );
        return;
    };
    for file in FILES {
        let out = Command::new("kubectl")
            .args([
                "--kubeconfig",
                &kubeconfig,
                "apply",
                "--dry-run=client",
                "-f",
            ])
            .arg(dir().join(file))
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl rejects {file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// No container runs without a cluster, so run.sh is played with real redis instead: one
/// loopback address per pod (tests/lessons/run_sh_pods.sh). Linux only: elsewhere only
/// 127.0.0.1 is loopback.
#[cfg(target_os = "linux")]
#[test]
fn run_sh_bootstraps_scales_fails_over_and_rejoins_with_real_redis() {
    let script = root().join("tests/lessons/run_sh_pods.sh");
    // `timeout` stops the script (whose trap kills every redis it started) if it ever hangs.
    let out = Command::new("timeout")
        .arg("300")
        .arg("bash")
        .arg(&script)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let passed = stdout.lines().last().is_some_and(|l| l.ends_with("PASS"));
    assert!(out.status.success() && passed, "{text}");
}
