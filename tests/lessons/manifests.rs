//! manifests/redis-sentinel: every document is a valid object of its kind, labels and selectors
//! tell the lesson's story, and the start script is sound. With `KUBETUTOR_E2E_KUBECONFIG` set,
//! kubectl validates them as well.

use std::process::Command;

use k8s_openapi::api::core::v1::ReplicationController;
use serde_json::Value;

use crate::common::root;
use crate::objects::*;

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
    assert!(try_round_trip::<ReplicationController>(&doc).is_ok());
    doc["spec"]["replica"] = Value::from(3);
    let err = try_round_trip::<ReplicationController>(&doc).err();
    assert!(
        err.as_deref().is_some_and(|e| e.contains("/spec/replica")),
        "spec.replica went unnoticed: {err:?}"
    );
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
            selects(&rc_selector(rc), &template_labels(rc)),
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
        selects(&rc_selector(redis), &bootstrap),
        "rc redis must select redis-master"
    );
    assert!(
        selects(&rc_selector(sentinel), &bootstrap),
        "rc redis-sentinel must select redis-master"
    );
    // But neither may adopt the other's pods.
    assert!(
        !selects(&rc_selector(sentinel), &template_labels(redis)),
        "rc redis-sentinel would adopt redis pods"
    );
    assert!(
        !selects(&rc_selector(redis), &template_labels(sentinel)),
        "rc redis would adopt sentinel pods"
    );
    // The service leads to every sentinel and to nothing else.
    assert!(
        selects(&service, &bootstrap) && selects(&service, &template_labels(sentinel)),
        "service misses sentinels"
    );
    assert!(
        !selects(&service, &template_labels(redis)),
        "service leads to redis servers without a sentinel"
    );
    // The selectors the k8s lesson uses in its cells.
    let role = |v: &str| Labels::from([("role".to_string(), v.to_string())]);
    assert!(
        selects(&role("sentinel"), &template_labels(sentinel))
            && !selects(&role("sentinel"), &bootstrap)
    );
    assert!(!selects(&role("sentinel"), &template_labels(redis)));
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

/// kubectl's own validation: `--dry-run=client` still needs an API server for discovery, so
/// this runs with the end-to-end tests (scripts/e2e-cluster passes `--ignored`).
#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn kubectl_accepts_every_manifest_when_a_cluster_is_configured() {
    let kubeconfig = std::env::var("KUBETUTOR_E2E_KUBECONFIG")
        .ok()
        .filter(|p| !p.is_empty())
        .expect("KUBETUTOR_E2E_KUBECONFIG names the cluster's kubeconfig (scripts/e2e-cluster)");
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
