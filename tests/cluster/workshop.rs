//! `kubetutor workshop`: learners' kubeconfigs work in their own namespace and nowhere else
//! (real requests, not access reviews), `create` is idempotent, `delete` leaves no labelled
//! object and kills the tokens, and a dead token tells the learner what to ask for.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{LESSON, kubeconfig, kubectl_ok, kubectl_with, kubetutor, text};

fn workshop(dir: &Path, args: &[&str]) -> Output {
    kubetutor(&kubeconfig(), dir)
        .arg("workshop")
        .args(args)
        .output()
        .expect("run kubetutor workshop")
}

fn ok(out: Output, what: &str) -> String {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{all}");
    all
}

/// A request that must be refused with 403, and the message that says so.
fn forbidden(kc: &Path, args: &[&str]) {
    let out = kubectl_with(kc, args);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("Forbidden"),
        "kubectl {args:?} was not forbidden: {}{err}",
        text(&out.stdout)
    );
}

fn labelled_left(name: &str) -> String {
    let sel = format!("kubetutor.dev/workshop={name}");
    kubectl_ok(&[
        "get",
        "namespaces,clusterroles,clusterrolebindings",
        "-l",
        &sel,
        "-o",
        "name",
    ])
}

/// The room ana and bo, created twice (the second must resume, not fail); their kubeconfigs.
fn create_room(dir: &Path, name: &str) -> PathBuf {
    create_room_of(dir, name, "# the room\nana\nbo\n")
}

fn create_room_of(dir: &Path, name: &str, names_file: &str) -> PathBuf {
    let names = dir.join("names.txt");
    std::fs::write(&names, names_file).unwrap();
    let out_dir = dir.join("kc");
    let args = [
        "create",
        name,
        "--lesson",
        LESSON,
        "--names",
        names.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--duration",
        "15m",
    ];
    let first = ok(workshop(dir, &args), "workshop create");
    assert!(first.contains("join: KUBECONFIG="), "{first}");
    // A second create resumes/refreshes instead of failing on what exists.
    ok(workshop(dir, &args), "second workshop create");
    out_dir
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn learners_are_isolated_and_delete_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-iso";
    let kc = create_room(dir.path(), name);
    let (a, b) = (kc.join("ana.kubeconfig"), kc.join("bo.kubeconfig"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "kubeconfig mode");
    let (ns_a, ns_b) = (format!("{name}-ana"), format!("{name}-bo"));

    // A does the lesson's kind of thing in its own namespace (the default of its kubeconfig).
    let out = kubectl_with(&a, &["run", "mine", "--image=redis:7"]);
    assert!(
        out.status.success(),
        "create in own ns: {}",
        text(&out.stderr)
    );
    let got = text(&kubectl_with(&a, &["get", "pod", "mine", "-o", "name"]).stdout);
    assert_eq!(got.trim(), "pod/mine");
    let out = kubectl_with(&b, &["run", "theirs", "--image=redis:7"]);
    assert!(out.status.success(), "B in own ns: {}", text(&out.stderr));

    // ...and is refused everywhere else.
    let in_b = ["-n", ns_b.as_str()];
    forbidden(&a, &[&["get", "pods"][..], &in_b].concat());
    forbidden(&a, &[&["get", "pod", "theirs"][..], &in_b].concat());
    forbidden(
        &a,
        &[&["run", "intruder", "--image=redis:7"][..], &in_b].concat(),
    );
    forbidden(
        &a,
        &[&["delete", "pod", "theirs", "--wait=false"][..], &in_b].concat(),
    );
    forbidden(&a, &["get", "pods", "--all-namespaces"]);
    forbidden(&a, &["get", "namespaces"]);
    forbidden(&a, &["get", "namespace", &ns_b]);
    forbidden(&a, &["create", "namespace", "e2e-ws-escape"]);
    forbidden(&a, &["get", "nodes"]);
    forbidden(&a, &["get", "secrets", "-n", &ns_a]);

    let listed = ok(workshop(dir.path(), &["list"]), "workshop list");
    assert!(
        listed.contains(name) && listed.contains("ana, bo"),
        "{listed}"
    );

    let gone = ok(workshop(dir.path(), &["delete", name]), "workshop delete");
    assert!(
        gone.contains("2 namespaces") && gone.contains(&ns_a),
        "{gone}"
    );
    assert_eq!(labelled_left(name), "", "objects left after delete");
    // The bound token died with its ServiceAccount.
    let out = kubectl_with(&a, &["get", "pods"]);
    assert!(
        !out.status.success() && text(&out.stderr).contains("Unauthorized"),
        "token still works after delete: {}",
        text(&out.stderr)
    );
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn a_dead_token_names_workshop_create() {
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-token";
    let kc = create_room(dir.path(), name);
    let good = std::fs::read_to_string(kc.join("ana.kubeconfig")).unwrap();
    let bad = dir.path().join("bad.kubeconfig");
    let replaced: String = good
        .lines()
        .map(|l| match l.trim_start().starts_with("token:") {
            true => "    token: not-a-valid-token".to_string(),
            false => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&bad, replaced).unwrap();
    let out = kubetutor(&bad, dir.path())
        .args([
            "run",
            LESSON,
            "--yes",
            "--namespace",
            &format!("{name}-ana"),
        ])
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    ok(workshop(dir.path(), &["delete", name]), "workshop delete");
    assert!(!out.status.success(), "ran with a bogus token:\n{all}");
    assert!(all.contains("kubetutor workshop create"), "{all}");
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn status_shows_each_learners_published_step() {
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-status";
    let kc = create_room(dir.path(), name);
    // ana runs steps 1-2 headless with her workshop kubeconfig; bo never starts.
    let mut run = kubetutor(&kc.join("ana.kubeconfig"), dir.path());
    run.args([
        "run",
        LESSON,
        "--yes",
        "--to",
        "2",
        "--namespace",
        &format!("{name}-ana"),
    ])
    .env("KUBETUTOR_SKIP_NEEDS", "containers");
    let out = run.output().unwrap();
    let ran = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let once = workshop(
        dir.path(),
        &["status", name, "--once", "--instructor", "ana"],
    );
    let json = workshop(dir.path(), &["status", name, "--json"]);
    ok(workshop(dir.path(), &["delete", name]), "workshop delete");
    assert!(out.status.success(), "ana's run:\n{ran}");
    let once = ok(once, "status --once");
    let ana = once
        .lines()
        .find(|l| l.starts_with("ana"))
        .unwrap_or_default();
    let bo = once
        .lines()
        .find(|l| l.starts_with("bo"))
        .unwrap_or_default();
    assert!(ana.contains("2/"), "ana's row:\n{once}");
    assert!(
        bo.contains("not started") && bo.contains("behind"),
        "bo's row:\n{once}"
    );
    assert!(once.contains("1 not started, 1 on step 2"), "{once}");
    let room: serde_json::Value = serde_json::from_str(&ok(json, "status --json")).unwrap();
    let rows = room["rows"].as_array().unwrap();
    assert_eq!(rows[0]["learner"], "ana");
    assert_eq!(rows[0]["step"], 2);
    assert!(rows[0]["passed"].as_u64().unwrap() >= 2, "{room}");
    assert_eq!(rows[1]["step"], serde_json::Value::Null);
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn the_dashboard_follows_the_room_live_in_tmux() {
    use crate::tmux::{Launch, Tmux};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-dash";
    let _room = Room::fresh(dir.path(), name);
    let kc = create_room(dir.path(), name);
    let mut status = kubetutor(&kubeconfig(), dir.path());
    status.args(["workshop", "status", name, "--instructor", "ana"]);
    let tmux = Tmux::launch(Launch::command(&status).size(120, 30));
    let wait = |what: &str, ok: &dyn Fn(&str) -> bool| {
        tmux.wait_until(what, Duration::from_secs(20), |s| ok(s))
    };
    wait("the room", &|s| {
        s.contains("2 learners") && s.contains("not started: 2")
    });
    let pid = tmux.pane_pid();

    // ana runs steps 1-2 while the dashboard is open: her row moves without a key pressed.
    let mut run = kubetutor(&kc.join("ana.kubeconfig"), dir.path());
    run.args(["run", LESSON, "--yes", "--to", "2"])
        .args(["--namespace", &format!("{name}-ana")])
        .env("KUBETUTOR_SKIP_NEEDS", "containers");
    let out = run.output().unwrap();
    let finished = Instant::now();
    let screen = wait("ana's row at step 2", &|s| {
        s.lines().any(|l| l.contains("ana") && l.contains("2/"))
    });
    eprintln!(
        "dashboard: ana's step on screen {:?} after her run ended",
        finished.elapsed()
    );
    assert!(out.status.success(), "ana's run: {}", text(&out.stderr));
    assert!(
        screen
            .lines()
            .any(|l| l.contains("bo") && l.contains("behind")),
        "{screen}"
    );
    tmux.send(&["s"]);
    wait("the next order", &|s| s.contains("furthest behind first"));
    tmux.send(&["Enter"]);
    wait("a learner's details", &|s| s.contains("Esc/q back"));
    tmux.send(&["q"]);
    wait("details closed", &|s| !s.contains("Esc/q back"));
    quit_with_q(&tmux, pid);
    ok(workshop(dir.path(), &["delete", name]), "workshop delete");
}

/// The learner's Role is derived from the lesson (`workshop::rules`): the whole Kubernetes
/// lesson passes on a learner's kubeconfig, and nothing beyond its namespace is granted.
#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn the_whole_lesson_passes_with_a_learners_derived_role() {
    if !crate::support::needs_real_node("the_whole_lesson_passes_with_a_learners_derived_role") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-role";
    let _room = Room::fresh(dir.path(), name);
    let out_dir = create_room_of(dir.path(), name, "ana\n");
    let ns = format!("{name}-ana");
    let role = kubectl_ok(&["-n", &ns, "get", "role", "learner", "-o", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&role).unwrap();
    let rules = rules["rules"].as_array().cloned().unwrap_or_default();
    let started = std::time::Instant::now();
    let mut run = kubetutor(&out_dir.join("ana.kubeconfig"), dir.path());
    run.args(["run", LESSON, "--yes", "--namespace", &ns]);
    let out = run.output().unwrap();
    let ran = format!("{}{}", text(&out.stdout), text(&out.stderr));
    ok(workshop(dir.path(), &["delete", name]), "workshop delete");
    assert!(out.status.success(), "the lesson on ana's Role:\n{ran}");
    let summary = ran.lines().rfind(|l| l.contains(" passed, ")).unwrap_or("");
    assert!(summary.contains(" 0 failed"), "{summary}");
    assert!(!ran.contains("Forbidden"), "{ran}");
    let wide = rules.iter().any(|r| {
        r["verbs"]
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v == "*"))
            || r["resources"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v == "secrets"))
    });
    assert!(!wide, "{rules:#?}");
    eprintln!(
        "derived Role: {} rules; the whole lesson on it: {summary} in {:.1} s",
        rules.len(),
        started.elapsed().as_secs_f64()
    );
}

/// `q` quits the dashboard: its process `pid` is gone within 10 s.
fn quit_with_q(tmux: &crate::tmux::Tmux, pid: u32) {
    use std::time::{Duration, Instant};
    tmux.send(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while crate::tmux::alive(pid) {
        assert!(
            Instant::now() < deadline,
            "q did not quit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Deletes the workshop when dropped, so a failing test leaves no room behind for the next run
/// (which would find its ConfigMaps already there); one left by an earlier crash goes first.
struct Room<'a> {
    dir: &'a Path,
    name: &'a str,
}

impl<'a> Room<'a> {
    fn fresh(dir: &'a Path, name: &'a str) -> Self {
        let _ = workshop(dir, &["delete", name]);
        Self { dir, name }
    }
}

impl Drop for Room<'_> {
    fn drop(&mut self) {
        let _ = workshop(self.dir, &["delete", self.name]);
    }
}

/// `scripts/cluster stop|start kube-apiserver`: a restart of the API as clients see it.
fn apiserver(action: &str) -> Result<(), String> {
    let script = crate::support::repo_root().join("scripts/cluster");
    let out = std::process::Command::new(script)
        .args([action, "kube-apiserver"])
        .output()
        .map_err(|e| e.to_string())?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!("{action}: {}", text(&out.stderr))),
    }
}

/// The apiserver stopped while this lives; it is started again when dropped, even by a
/// failing assertion, so the tests after this one find a cluster.
struct Outage;

impl Outage {
    fn begin() -> Self {
        apiserver("stop").expect("stop the apiserver");
        Outage
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if let Err(e) = apiserver("start") {
            eprintln!("could not start the apiserver again: {e}");
        }
    }
}

/// Faults, with the dashboard open: the apiserver restarted (it says so, then catches up with
/// a learner who moved meanwhile) and a learner's namespace deleted by hand (the row goes,
/// nothing crashes).
#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn the_dashboard_rides_out_an_apiserver_restart_and_a_deleted_namespace() {
    use crate::tmux::{Launch, Tmux, alive};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let name = "e2e-ws-fault";
    let _room = Room::fresh(dir.path(), name);
    let kc = create_room(dir.path(), name);
    let mut status = kubetutor(&kubeconfig(), dir.path());
    status.args(["workshop", "status", name]);
    let tmux = Tmux::launch(Launch::command(&status).size(120, 30));
    let wait = |what: &str, secs: u64, ok: &dyn Fn(&str) -> bool| {
        tmux.wait_until(what, Duration::from_secs(secs), |s| ok(s))
    };
    wait("the room", 20, &|s| s.contains("2 learners"));
    let pid = tmux.pane_pid();

    let outage = Outage::begin();
    let down = Instant::now();
    let said = wait("the outage said", 30, &|s| s.contains("(retrying)"));
    drop(outage);
    eprintln!("dashboard: outage said {:?} after the stop", down.elapsed());
    assert!(alive(pid), "the dashboard exited on the outage:\n{said}");
    // ana moves on while the dashboard reconnects: it catches up without a key.
    let mut run = kubetutor(&kc.join("ana.kubeconfig"), dir.path());
    run.args(["run", LESSON, "--yes", "--to", "1"])
        .args(["--namespace", &format!("{name}-ana")])
        .env("KUBETUTOR_SKIP_NEEDS", "containers");
    let out = run.output().unwrap();
    let ran = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "ana's run:\n{ran}");
    wait("caught up after the restart", 60, &|s| {
        !s.contains("(retrying)") && s.lines().any(|l| l.contains("ana") && l.contains("1/"))
    });

    kubectl_ok(&["delete", "namespace", &format!("{name}-bo"), "--wait=false"]);
    let deleted = Instant::now();
    wait("bo's namespace shown going", 30, &|s| {
        s.contains("namespace being deleted") || s.contains("1 learners")
    });
    eprintln!(
        "dashboard: bo's namespace deletion shown {:?} after it",
        deleted.elapsed()
    );
    wait("bo's row gone with his namespace", 90, &|s| {
        s.contains("1 learners")
    });
    assert!(alive(pid), "the dashboard exited");
    quit_with_q(&tmux, pid);
    ok(workshop(dir.path(), &["delete", name]), "workshop delete");
}
