//! The Kubernetes lesson driven through the TUI in tmux, on a real node: each step run from the
//! keyboard (`n` next step, `a` run the step), while the pods pane shows kubelet's real states
//! (`ContainerCreating`, `Running 2/2`, `Terminating`) and the sentinel pane, reaching the
//! sentinels through a real port-forward, shows the failover.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::pods_pane::{open_lesson_confirmed, pane_rows, pod_name, row_of};
use crate::support::{LESSON, TestNamespace, kubectl_ok, needs_real_node, repo_root, wait_for};
use crate::tmux::Tmux;

/// The lesson's steps (its `## ` sections) and the ids of their cells, in order.
fn steps() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(repo_root().join(LESSON).join("lesson.md")).expect("lesson");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            out.push((title.to_string(), Vec::new()));
        } else if let Some(rest) = line.strip_prefix("```sh {id=") {
            let id = rest.split([' ', '}']).next().unwrap_or_default();
            out.last_mut()
                .expect("a cell before any step")
                .1
                .push(id.to_string());
        }
    }
    out
}

/// The saved verdict of every cell run so far (the TUI writes progress after each cell).
fn verdicts(state: &Path) -> BTreeMap<String, bool> {
    let dir = state.join("state/kubetutor/progress");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if let Some(cells) = v["cells"].as_object() {
            for (id, ok) in cells {
                out.insert(id.clone(), ok.as_bool().unwrap_or(false));
            }
        }
    }
    out
}

/// Pod states seen in the pane so far, per pod name.
#[derive(Default)]
struct Seen(BTreeMap<String, BTreeSet<String>>);

impl Seen {
    fn record(&mut self, screen: &str) {
        for row in pane_rows(screen) {
            let words: Vec<&str> = row.split_whitespace().collect();
            if let [name, ready, status, ..] = words[..] {
                let name = name.trim_start_matches(['+', '~', 'x']);
                if name.starts_with("redis") {
                    let entry = self.0.entry(name.to_string()).or_default();
                    entry.insert(status.to_string());
                    entry.insert(format!("{ready} {status}"));
                }
            }
        }
    }
    fn has(&self, pod: &str, state: &str) -> bool {
        self.0.get(pod).is_some_and(|s| s.contains(state))
    }
}

/// Runs step `title` with `a`, recording the pane every 100 ms until all its cells passed.
fn run_step(tmux: &Tmux, title: &str, cells: &[String], seen: &mut Seen, limit: Duration) {
    tmux.send(&["n"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.send(&["a"]);
    let deadline = Instant::now() + limit;
    loop {
        let screen = tmux.screen();
        seen.record(&screen);
        let v = verdicts(tmux.state.path());
        if let Some(bad) = cells.iter().find(|c| v.get(*c) == Some(&false)) {
            panic!("step {title:?}: cell {bad} failed\n{screen}");
        }
        if cells.iter().all(|c| v.get(c) == Some(&true)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "step {title:?} did not pass within {limit:?}; verdicts {v:?}\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn the_lesson_through_the_tui_on_a_real_node() {
    if !needs_real_node("the_lesson_through_the_tui_on_a_real_node") {
        return;
    }
    let ns = TestNamespace::reserve("tui");
    let tmux = open_lesson_confirmed(&ns.name);
    let mut seen = Seen::default();
    let all = steps();
    let upto = all
        .iter()
        .position(|(t, _)| t == "Delete the manually created pod")
        .expect("the deletion step");
    for (title, cells) in &all[1..=upto] {
        run_step(&tmux, title, cells, &mut seen, Duration::from_secs(240));
    }
    let screen = tmux.screen();
    assert!(
        seen.has("redis-master", "ContainerCreating"),
        "the pane never showed redis-master ContainerCreating: {:?}",
        seen.0
    );
    assert!(seen.has("redis-master", "2/2 Running"), "{:?}", seen.0);
    assert!(
        seen.has("redis-master", "Terminating"),
        "the pane never showed the deleted redis-master Terminating: {:?}",
        seen.0
    );
    assert!(
        row_of(&pane_rows(&screen), "redis-master").is_none(),
        "{screen}"
    );
    // The sentinel pane, through its port-forward, followed the failover.
    assert!(screen.contains("switch-master"), "{screen}");
    // The failover figures, as the pane names them now: detection to switch, and the outage.
    assert!(screen.contains("detection→switch"), "{screen}");
    assert!(screen.contains("unavailable for writes"), "{screen}");
    // The ROLE column names the new master: the one pod row marked master is the pod at the
    // address the sentinels themselves report.
    let ns_arg = ns.name.as_str();
    let sentinel = kubectl_ok(&[
        "-n",
        ns_arg,
        "get",
        "pods",
        "-l",
        "name=redis-sentinel",
        "-o",
        "name",
    ]);
    let sentinel = sentinel
        .lines()
        .next()
        .expect("a sentinel pod")
        .trim()
        .to_string();
    wait_for(
        "the ROLE column naming the new master",
        Duration::from_secs(60),
        || {
            let reply = kubectl_ok(&[
                "-n",
                ns_arg,
                "exec",
                &sentinel,
                "-c",
                "sentinel",
                "--",
                "redis-cli",
                "-p",
                "26379",
                "SENTINEL",
                "get-master-addr-by-name",
                "mymaster",
            ]);
            let ip = reply.lines().next().unwrap_or_default().trim().to_string();
            let screen = tmux.screen();
            let rows = pane_rows(&screen);
            // Pod rows only (the column under the pods pane also holds the sentinel pane's lines).
            let masters: Vec<&String> = rows
                .iter()
                .filter(|r| {
                    pod_name(r).is_some_and(|p| p.starts_with("redis"))
                        && r.split_whitespace().any(|w| w == "master")
                })
                .collect();
            match masters[..] {
                [row] if !ip.is_empty() && row.contains(&ip) && !row.contains("redis-master") => {
                    Ok(())
                }
                _ => Err(format!(
                    "sentinels say {ip:?}; master rows {masters:?}\n{screen}"
                )),
            }
        },
    );
    tmux.send(&["q"]);
}
