//! The cluster session from the TUI, end to end in tmux, with a fake `kubectl` first on PATH
//! (it logs the kubeconfig and context it would use) and a stand-in API server on loopback that
//! records what it is asked: consent, the namespace created after it, a context switched in the
//! user's kubeconfig stopping the next cluster cell, a protected context refusing, and the
//! private kubeconfig (the user's credentials) gone after quitting. The same promises as
//! tests/run/cluster_gate.rs makes for `kubetutor run`.

use std::time::Duration;

use super::e2e::Tmux;
use super::fake_cluster::{FakeCluster, Namespace};

/// The fake cluster (`tests/support/fake_cluster.rs`) with a two-cell cluster lesson.
struct Room(FakeCluster);

impl std::ops::Deref for Room {
    type Target = FakeCluster;
    fn deref(&self) -> &FakeCluster {
        &self.0
    }
}

impl Room {
    /// The user's current context is `current`; the API has no `demo` namespace until the
    /// session creates it.
    fn new(current: &str) -> Self {
        let room = Self(FakeCluster::new(current, Namespace::Missing));
        std::fs::write(
            room.root().join("lesson/lesson.md"),
            "---\ntitle: Gate from the TUI\nnamespace: demo\n---\n# Gate\n\n## One\n\n\
             ```sh {id=first}\nkubectl get pods\n```\n\n\
             ```sh {id=second}\nkubectl get services\n```\n",
        )
        .expect("lesson");
        room
    }

    fn open(&self, tmux: &Tmux) {
        let r = self.root().display();
        tmux.type_line(&format!(
            "env -u KUBECONFIG -u KUBETUTOR_PROTECTED_CONTEXTS NO_COLOR=1 HOME={r}/home \
             XDG_RUNTIME_DIR={r}/run XDG_STATE_HOME={r}/state PATH={} {} {r}/lesson/lesson.md",
            self.path(),
            env!("CARGO_BIN_EXE_kubetutor")
        ));
        tmux.wait_for("Step 1/1");
    }
}

#[test]
fn consent_creates_the_namespace_a_context_switch_stops_the_next_cell_and_nothing_is_left() {
    let Some(tmux) = Tmux::start() else { return };
    let room = Room::new("dev");
    room.open(&tmux);
    // Before consent nothing talked to kubectl or the API.
    tmux.send(&["Enter"]);
    tmux.wait_for("run against this cluster?");
    assert!(room.calls().is_empty(), "{:?}", room.calls());
    tmux.send(&["y"]);
    let screen = tmux.wait_for("fake-kubectl-get-pods");
    assert!(screen.contains("Created namespace demo."), "{screen}");
    let api = room.api.lock().unwrap().clone();
    assert!(
        api.iter().any(|l| l.starts_with("POST /api/v1/namespaces")),
        "the TUI created the namespace after consent: {api:?}"
    );
    // kubectl used the private kubeconfig, with the confirmed context, while the lesson runs.
    let calls = room.calls();
    let run_dir = room.root().join("run").display().to_string();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].0.starts_with(&run_dir), "{calls:?}");
    assert!(std::fs::read_to_string(&calls[0].0).is_ok_and(|t| t.contains("secret-token")));

    // The user switches context in their own kubeconfig (another terminal): the next cluster
    // cell must not run.
    let user = room.user_config();
    let text = std::fs::read_to_string(&user).unwrap();
    std::fs::write(
        &user,
        text.replace("current-context: dev", "current-context: prod"),
    )
    .unwrap();
    tmux.send(&["]"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_until("the gate's refusal", Duration::from_secs(20), |s| {
        s.contains("refused: the current context changed from \"dev\" to \"prod\"")
    });
    assert!(!screen.contains("fake-kubectl-get-services"), "{screen}");
    assert_eq!(
        room.calls().len(),
        1,
        "the second cell ran: {:?}",
        room.calls()
    );

    tmux.send(&["q"]);
    tmux.wait_exit();
    let left = room.leftovers();
    assert!(
        left.is_empty(),
        "the private kubeconfig outlived the TUI: {left:?}"
    );
}

#[test]
fn a_protected_current_context_refuses_in_the_tui_and_nothing_runs() {
    let Some(tmux) = Tmux::start() else { return };
    let room = Room::new("prod");
    room.open(&tmux);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("protected");
    assert!(!screen.contains("run against this cluster?"), "{screen}");
    assert!(room.calls().is_empty(), "{:?}", room.calls());
    assert!(room.api.lock().unwrap().is_empty(), "the API was asked");
    tmux.send(&["q"]);
    tmux.wait_exit();
    assert!(room.leftovers().is_empty(), "{:?}", room.leftovers());
}
