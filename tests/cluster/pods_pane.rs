//! The pods pane in a real terminal (tmux) while the cluster changes under it: the lesson's
//! pods appear with READY/STATUS like kubectl's, the bootstrap pod disappears and the
//! controllers' replacements come up. The cluster is driven with kubectl from outside, so the
//! test does not depend on how cells are run from the keyboard.

use std::time::Duration;

use crate::support::{LESSON, TestNamespace, kubeconfig, kubectl_ok, kubetutor, text, wait_for};
use crate::tmux::{Launch, Tmux};

const MANIFESTS: &str = "manifests/redis-sentinel";

/// The pods pane's rows: the lines under its `NAME ... READY ... STATUS` header, cut at the
/// header's left edge so the lesson text beside the pane (which names the same pods) is ignored.
pub fn pane_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some((i, x)) = lines.iter().enumerate().find_map(|(i, l)| {
        let x = l.find("NAME")?;
        (l[x..].contains("READY") && l[x..].contains("STATUS")).then(|| (i, l[..x].chars().count()))
    }) else {
        return Vec::new();
    };
    lines[i + 1..]
        .iter()
        .map(|l| l.chars().skip(x).collect::<String>())
        .collect()
}

/// The pod name of a row. The pane puts a change marker right before the name (`+` added,
/// `~` changed, `x` deleted: a deleted pod lingers a few seconds marked `x`); every pod in this
/// test is called `redis...`, so a marker is whatever precedes that.
pub fn pod_name(row: &str) -> Option<&str> {
    let word = row.split_whitespace().next()?;
    Some(match word.char_indices().nth(1) {
        Some((i, _)) if !word.starts_with("redis") && word[i..].starts_with("redis") => &word[i..],
        _ => word,
    })
}

fn deleted(row: &str) -> bool {
    row.trim_start().starts_with("xredis")
}

/// Live (not marked deleted) rows whose pod name starts with `prefix`.
fn rows_named<'a>(rows: &'a [String], prefix: &str) -> Vec<&'a String> {
    rows.iter()
        .filter(|r| !deleted(r) && pod_name(r).is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

/// The row of pod `name`, live or lingering as deleted.
pub fn row_of<'a>(rows: &'a [String], name: &str) -> Option<&'a String> {
    rows.iter().find(|r| pod_name(r) == Some(name))
}

/// Three rows, each with READY 1/1 and STATUS Running.
fn three_ready(rows: &[&String]) -> bool {
    rows.len() == 3
        && rows
            .iter()
            .all(|r| r.contains("1/1") && r.contains("Running"))
}

/// The lesson in tmux on namespace `ns`, its first cell run and the cluster confirmed. The pane
/// watches once the learner has confirmed the cluster target, which the first command that
/// talks to the cluster asks for; that cell creates the ConfigMap the manifests need.
/// The sentinel pane reaches every pod through a port-forward, as from a laptop outside the
/// cluster, though these tests run inside the node's network (`sentinel_pane.rs` covers
/// dialling pod IPs directly).
pub fn open_lesson_confirmed(ns: &str) -> Tmux {
    let state = tempfile::tempdir().expect("tempdir");
    let mut cmd = kubetutor(&kubeconfig(), state.path());
    cmd.args([LESSON, "--namespace", ns])
        .env("KUBETUTOR_POD_DIAL", "forward");
    let mut tmux = Tmux::launch(Launch::command(&cmd).size(220, 50));
    // The state kubetutor runs with lives as long as the session (tests read its progress).
    tmux.state = state;
    let long = Duration::from_secs(60);
    wait_for("the lesson on screen", Duration::from_secs(20), || {
        let s = tmux.screen();
        if s.contains("Ship the start script") {
            Ok(())
        } else {
            Err(s)
        }
    });
    tmux.send(&["Enter"]);
    wait_for("the cluster confirmation", Duration::from_secs(20), || {
        let s = tmux.screen();
        if s.contains(ns) { Ok(()) } else { Err(s) }
    });
    tmux.send(&["y"]);
    // The cell creates the ConfigMap; applying it too before the cell finished would race
    // with its `kubectl create` (AlreadyExists on one side or the other).
    wait_for("the first command passed", long, || {
        let s = tmux.screen();
        if s.contains("✓ passed") {
            Ok(())
        } else {
            Err(s)
        }
    });
    tmux
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn pods_pane_follows_the_cluster() {
    let ns = TestNamespace::reserve("pane");
    let n = ns.name.as_str();
    kubectl_ok(&["create", "namespace", n]);
    // The first cell creates the ConfigMap; applying it too before the cell finished would race
    // with its `kubectl create` (AlreadyExists on one side or the other).
    let tmux = open_lesson_confirmed(n);
    let long = Duration::from_secs(60);

    let apply = |file: &str| kubectl_ok(&["-n", n, "apply", "-f", &format!("{MANIFESTS}/{file}")]);
    apply("redis-scripts.yaml");
    apply("redis-master.yaml");
    wait_for("redis-master Running 2/2 in the pane", long, || {
        let s = tmux.screen();
        match row_of(&pane_rows(&s), "redis-master") {
            Some(r) if r.contains("2/2") && r.contains("Running") => Ok(()),
            _ => Err(s),
        }
    });

    apply("redis-sentinel-service.yaml");
    apply("redis-controller.yaml");
    apply("redis-sentinel-controller.yaml");
    kubectl_ok(&["-n", n, "scale", "rc", "redis", "--replicas=3"]);
    kubectl_ok(&["-n", n, "scale", "rc", "redis-sentinel", "--replicas=3"]);
    if crate::support::real_node() {
        // Real sentinels fail over only to replicas they know: delete the master once they
        // know both (the lesson waits for the same before its deletion).
        wait_for(
            "the sentinels know 2 replicas and 3 other sentinels",
            long,
            || {
                let out = crate::support::kubectl(&[
                    "-n",
                    n,
                    "exec",
                    "redis-master",
                    "-c",
                    "sentinel",
                    "--",
                    "redis-cli",
                    "-p",
                    "26379",
                    "sentinel",
                    "master",
                    "mymaster",
                ]);
                let fields: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
                let value = |k: &str| {
                    let i = fields.iter().position(|f| f == k)?;
                    fields.get(i + 1).cloned()
                };
                match (value("num-slaves"), value("num-other-sentinels")) {
                    (Some(r), Some(s)) if r == "2" && s == "3" => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        );
    }
    kubectl_ok(&["-n", n, "delete", "pod", "redis-master", "--wait=false"]);

    // The replica created after the deletion is Ready only once the sentinels have elected a
    // new master. On the real node that election sometimes takes minutes (issue 21: a stale
    // bootstrap sentinel is still counted), which is the sentinel's story, not the pane's: the
    // pane must show the bootstrap pod gone, three servers Running (two of them Ready) and three
    // Ready sentinels.
    wait_for(
        "bootstrap pod gone, 3 servers Running (2+ Ready), 3 sentinels Running 1/1",
        long,
        || {
            let s = tmux.screen();
            let rows = pane_rows(&s);
            let sentinels = rows_named(&rows, "redis-sentinel-");
            let servers: Vec<&String> = rows_named(&rows, "redis-")
                .into_iter()
                .filter(|r| !sentinels.contains(r))
                .collect();
            let gone = row_of(&rows, "redis-master").is_none();
            let running = |r: &&String| r.contains("Running");
            let ready = servers.iter().filter(|r| r.contains("1/1")).count();
            let servers_up = servers.len() == 3 && servers.iter().all(running) && ready >= 2;
            if gone && servers_up && three_ready(&sentinels) {
                Ok(())
            } else {
                Err(s)
            }
        },
    );
    tmux.send(&["q"]);
}

#[test]
fn pane_rows_ignore_the_lesson_text_beside_the_pane() {
    let screen = "Delete redis-master now   NAME            READY  STATUS\n\
                  see pod redis-master,      redis-abc12    1/1    Running\n\
                  and so on                 xredis-master   2/2    Terminating\n\
                  and so on                 +redis-sentinel-q 1/1    Running\n";
    let rows = pane_rows(screen);
    assert_eq!(rows.len(), 3);
    assert!(row_of(&rows, "redis-abc12").is_some_and(|r| r.contains("1/1")));
    assert!(row_of(&rows, "redis-master").is_some_and(|r| deleted(r)));
    assert_eq!(rows_named(&rows, "redis-").len(), 2, "{rows:?}");
    assert_eq!(rows_named(&rows, "redis-sentinel-").len(), 1);
    assert!(pane_rows("no header here\nredis-master 1/1 Running").is_empty());
}

/// The STATUS column of the pane's row for `pod`.
fn pane_status(rows: &[String], pod: &str) -> Option<String> {
    let row = row_of(rows, pod)?;
    // NAME READY STATUS ...: the marker is glued to the name, so STATUS is the third word.
    row.split_whitespace().nth(2).map(str::to_string)
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn pods_pane_shows_kubelets_states_as_kubectl_does() {
    if !crate::support::needs_real_node("pods_pane_shows_kubelets_states_as_kubectl_does") {
        return;
    }
    let ns = TestNamespace::reserve("states-pane");
    let n = ns.name.as_str();
    kubectl_ok(&["create", "namespace", n]);
    crate::real_node::kubelet_states(n);
    let tmux = open_lesson_confirmed(n);
    wait_for(
        "every pod's STATUS in the pane as kubectl shows it",
        Duration::from_secs(60),
        || {
            let s = tmux.screen();
            let rows = pane_rows(&s);
            let kubectl = crate::real_node::kubectl_statuses(n);
            let differ: Vec<String> = crate::real_node::STATES
                .iter()
                .filter_map(|(pod, _)| {
                    let want = kubectl
                        .iter()
                        .find(|(p, _)| p == pod)
                        .map(|(_, s)| s.clone());
                    let have = pane_status(&rows, pod);
                    (want != have).then(|| format!("{pod}: kubectl {want:?}, pane {have:?}"))
                })
                .collect();
            if differ.is_empty() {
                Ok(())
            } else {
                Err(format!("{differ:?}\n{s}"))
            }
        },
    );
    tmux.send(&["q"]);
}
