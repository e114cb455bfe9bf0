//! kubectl's STATUS / READY / RESTARTS for the cases `kubectl get pods` users meet.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Pod;
use kubetutor::kube::model::{Health, PodRow, human_duration};
use serde_json::{Value, json};

/// 2026-11-25T20:10:00Z
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_637_400)
}

fn pod(spec: Value, status: Value) -> Pod {
    pod_meta(
        json!({"name": "p", "creationTimestamp": "2026-11-25T20:00:00Z"}),
        spec,
        status,
    )
}

fn pod_meta(meta: Value, spec: Value, status: Value) -> Pod {
    serde_json::from_value(json!({"metadata": meta, "spec": spec, "status": status}))
        .expect("valid pod json")
}

fn one(name: &str) -> Value {
    json!({"containers": [{"name": name}]})
}

fn waiting(name: &str, reason: &str) -> Value {
    json!({"name": name, "image": "i", "imageID": "", "ready": false, "restartCount": 0,
           "state": {"waiting": {"reason": reason}}})
}

fn running(name: &str, ready: bool) -> Value {
    json!({"name": name, "image": "i", "imageID": "", "ready": ready, "restartCount": 0,
           "started": true, "state": {"running": {"startedAt": "2026-11-25T20:00:05Z"}}})
}

fn terminated(name: &str, exit: i32, reason: Option<&str>, signal: Option<i32>) -> Value {
    json!({"name": name, "image": "i", "imageID": "", "ready": false, "restartCount": 0,
           "state": {"terminated": {"exitCode": exit, "reason": reason, "signal": signal}}})
}

fn cols(p: &Pod) -> (String, String, String) {
    let row = PodRow::from_pod(p, now());
    (
        row.ready_text(),
        row.status.clone(),
        row.restarts_text(now()),
    )
}

fn check(p: Pod, ready: &str, status: &str, restarts: &str) {
    let got = cols(&p);
    assert_eq!(
        got,
        (ready.to_string(), status.to_string(), restarts.to_string()),
        "{p:?}"
    );
}

#[test]
fn phases_and_waiting_reasons() {
    check(
        pod(one("c"), json!({"phase": "Pending"})),
        "0/1",
        "Pending",
        "0",
    );
    let cs = |s: Value| json!({"phase": "Pending", "containerStatuses": [s]});
    check(
        pod(one("c"), cs(waiting("c", "ContainerCreating"))),
        "0/1",
        "ContainerCreating",
        "0",
    );
    check(
        pod(one("c"), cs(waiting("c", "ErrImagePull"))),
        "0/1",
        "ErrImagePull",
        "0",
    );
    check(
        pod(one("c"), cs(waiting("c", "ImagePullBackOff"))),
        "0/1",
        "ImagePullBackOff",
        "0",
    );
    check(
        pod(one("c"), cs(waiting("c", "PodInitializing"))),
        "0/1",
        "PodInitializing",
        "0",
    );
    let ready = json!({"phase": "Running", "containerStatuses": [running("c", true)]});
    check(pod(one("c"), ready), "1/1", "Running", "0");
    let unready = json!({"phase": "Running", "containerStatuses": [running("c", false)]});
    check(pod(one("c"), unready), "0/1", "Running", "0");
}

#[test]
fn crash_loops_show_restarts_and_when() {
    let mut s = waiting("c", "CrashLoopBackOff");
    s["restartCount"] = json!(5);
    s["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error",
                            "finishedAt": "2026-11-25T20:08:30Z"}});
    let p = pod(
        one("c"),
        json!({"phase": "Running", "containerStatuses": [s]}),
    );
    check(p, "0/1", "CrashLoopBackOff", "5 (90s ago)");
}

#[test]
fn terminated_containers() {
    let t = |exit, reason: Option<&str>, signal, phase: &str| {
        pod(
            one("c"),
            json!({"phase": phase, "containerStatuses": [terminated("c", exit, reason, signal)]}),
        )
    };
    check(
        t(0, Some("Completed"), None, "Succeeded"),
        "0/1",
        "Completed",
        "0",
    );
    check(t(1, Some("Error"), None, "Failed"), "0/1", "Error", "0");
    check(
        t(137, Some("OOMKilled"), None, "Failed"),
        "0/1",
        "OOMKilled",
        "0",
    );
    check(t(137, None, None, "Failed"), "0/1", "ExitCode:137", "0");
    check(t(137, None, Some(9), "Failed"), "0/1", "Signal:9", "0");
}

#[test]
fn init_containers() {
    let spec =
        json!({"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "c"}]});
    let status = |inits: Vec<Value>| {
        json!({"phase": "Pending", "initContainerStatuses": inits,
               "containerStatuses": [waiting("c", "PodInitializing")]})
    };
    let i1_running = status(vec![running("i1", false), waiting("i2", "PodInitializing")]);
    check(pod(spec.clone(), i1_running), "0/1", "Init:0/2", "0");
    let i2_running = status(vec![
        terminated("i1", 0, Some("Completed"), None),
        running("i2", false),
    ]);
    check(pod(spec.clone(), i2_running), "0/1", "Init:1/2", "0");
    let crash = status(vec![
        waiting("i1", "CrashLoopBackOff"),
        waiting("i2", "PodInitializing"),
    ]);
    check(
        pod(spec.clone(), crash),
        "0/1",
        "Init:CrashLoopBackOff",
        "0",
    );
    let err = status(vec![terminated("i1", 2, Some("Error"), None)]);
    check(pod(spec.clone(), err), "0/1", "Init:Error", "0");
    let code = status(vec![terminated("i1", 3, None, None)]);
    check(pod(spec.clone(), code), "0/1", "Init:ExitCode:3", "0");
    let sig = status(vec![
        terminated("i1", 0, None, Some(15)),
        running("i2", false),
    ]);
    check(pod(spec.clone(), sig), "0/1", "Init:1/2", "0"); // exit 0 counts as done
    let done = json!({"phase": "Pending",
        "initContainerStatuses": [terminated("i1", 0, Some("Completed"), None),
                                  terminated("i2", 0, Some("Completed"), None)],
        "containerStatuses": [waiting("c", "PodInitializing")]});
    check(pod(spec, done), "0/1", "PodInitializing", "0");
}

#[test]
fn native_sidecars_count_as_containers() {
    let spec = json!({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
                      "containers": [{"name": "c"}]});
    let status = json!({"phase": "Running",
        "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
        "initContainerStatuses": [running("proxy", true)],
        "containerStatuses": [running("c", true)]});
    check(pod(spec, status), "2/2", "Running", "0");
}

#[test]
fn completed_with_a_running_container_is_running_or_not_ready() {
    let spec = json!({"containers": [{"name": "job"}, {"name": "server"}]});
    let status = |ready_cond: &str| {
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": ready_cond}],
               "containerStatuses": [terminated("job", 0, Some("Completed"), None), running("server", true)]})
    };
    check(pod(spec.clone(), status("True")), "1/2", "Running", "0");
    check(pod(spec, status("False")), "1/2", "NotReady", "0");
}

#[test]
fn the_first_container_with_a_reason_wins() {
    let spec = json!({"containers": [{"name": "a"}, {"name": "b"}]});
    let status = json!({"phase": "Pending",
        "containerStatuses": [waiting("a", "ImagePullBackOff"), waiting("b", "ContainerCreating")]});
    check(pod(spec, status), "0/2", "ImagePullBackOff", "0");
}

#[test]
fn deletion_reasons_and_gates() {
    let meta = || json!({"name": "p", "deletionTimestamp": "2026-11-25T20:09:00Z"});
    let running_status = json!({"phase": "Running", "containerStatuses": [running("c", true)]});
    check(
        pod_meta(meta(), one("c"), running_status),
        "1/1",
        "Terminating",
        "0",
    );
    let done = json!({"phase": "Succeeded",
                      "containerStatuses": [terminated("c", 0, Some("Completed"), None)]});
    check(pod_meta(meta(), one("c"), done), "0/1", "Completed", "0");
    let lost = json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [running("c", true)]});
    check(pod_meta(meta(), one("c"), lost), "1/1", "Unknown", "0");
    let evicted = json!({"phase": "Failed", "reason": "Evicted"});
    check(pod(one("c"), evicted), "0/1", "Evicted", "0");
    let gated = json!({"phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]});
    check(pod(one("c"), gated), "0/1", "SchedulingGated", "0");
}

#[test]
fn row_fields_ip_age_and_clock_skew() {
    let p = pod_meta(
        json!({"name": "web-1", "creationTimestamp": "2026-11-25T19:55:00Z"}),
        one("c"),
        json!({"phase": "Running", "podIP": "10.1.0.9",
               "podIPs": [{"ip": "10.1.0.9"}, {"ip": "fd00::9"}], "containerStatuses": [running("c", true)]}),
    );
    let row = PodRow::from_pod(&p, now());
    assert_eq!(row.name, "web-1");
    assert_eq!(row.ip.as_deref(), Some("10.1.0.9"));
    assert_eq!(row.age_text(now()), "15m");
    assert_eq!(row.health(), Health::Good);
    // A cluster clock ahead of ours: clamped, reads 0s instead of <invalid>.
    let ahead = pod_meta(
        json!({"name": "x", "creationTimestamp": "2026-11-25T20:30:00Z"}),
        one("c"),
        json!({}),
    );
    let row = PodRow::from_pod(&ahead, now());
    assert_eq!(row.age_text(now()), "0s");
    assert_eq!(row.ip, None);
    assert_eq!(
        PodRow::from_pod(&pod_meta(json!({}), one("c"), json!({})), now()).age_text(now()),
        "<unknown>"
    );
}

#[test]
fn human_durations_match_apimachinery() {
    let cases = [
        (0, "0s"),
        (59, "59s"),
        (119, "119s"),
        (120, "2m"),
        (125, "2m5s"),
        (599, "9m59s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 240, "3h4m"),
        (8 * 3600, "8h"),
        (47 * 3600, "47h"),
        (48 * 3600, "2d"),
        (51 * 3600, "2d3h"),
        (8 * 86400, "8d"),
        (729 * 86400, "729d"),
        (730 * 86400, "2y"),
        (731 * 86400, "2y1d"),
        (8 * 365 * 86400, "8y"),
    ];
    for (secs, want) in cases {
        assert_eq!(human_duration(Duration::from_secs(secs)), want, "{secs}s");
    }
}

#[test]
fn real_fixture_pods() {
    let list: k8s_openapi::List<Pod> =
        serde_json::from_str(include_str!("../fixtures/kube/podlist.json"))
            .expect("fixture parses");
    let rows: Vec<(String, String, String, String)> = list
        .items
        .iter()
        .map(|p| {
            let r = PodRow::from_pod(p, now());
            (
                r.name.clone(),
                r.ready_text(),
                r.status.clone(),
                r.restarts_text(now()),
            )
        })
        .collect();
    let want = [
        ("redis-master", "2/2", "Running", "0"),
        ("redis-sentinel-7xk2p", "1/1", "Running", "2 (6m30s ago)"),
        ("redis-2tm9c", "0/1", "ContainerCreating", "0"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(rows, want);
}
