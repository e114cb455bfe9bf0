//! The cluster session from the TUI, end to end in tmux, with a fake `kubectl` first on PATH
//! (it logs the kubeconfig and context it would use) and a stand-in API server on loopback that
//! records what it is asked: consent, the namespace created after it, a context switched in the
//! user's kubeconfig stopping the next cluster cell, a protected context refusing, and the
//! private kubeconfig (the user's credentials) gone after quitting. The same promises as
//! tests/run/cluster_gate.rs makes for `kubetutor run`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::e2e::Tmux;

/// A namespace API that has no `demo` until it is created: GET 404, POST 201, then GET 200.
/// Returns its port and the request lines it received.
fn namespace_api() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut created = false;
        for mut conn in listener.incoming().flatten().take(256) {
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let line = request.lines().next().unwrap_or("").to_string();
            log.lock().unwrap().push(line.clone());
            let ns = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}}"#;
            let missing = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#;
            let (status, body) = if line.starts_with("POST") {
                created = true;
                ("201 Created", ns)
            } else if line.contains("/namespaces/demo") && !created {
                ("404 Not Found", missing)
            } else {
                ("200 OK", ns)
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes());
        }
    });
    (port, seen)
}

struct Room {
    dir: tempfile::TempDir,
    api: Arc<Mutex<Vec<String>>>,
}

impl Room {
    /// HOME with a kubeconfig (`dev` on the stand-in API, `prod` elsewhere) whose current
    /// context is `current`, a fake kubectl, a runtime dir, and a two-cell cluster lesson.
    fn new(current: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for sub in ["home/.kube", "bin", "run", "state", "lesson"] {
            std::fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        let (port, api) = namespace_api();
        std::fs::write(
            root.join("home/.kube/config"),
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: {current}\nclusters:\n\
                 - name: dev\n  cluster:\n    server: http://127.0.0.1:{port}\n\
                 - name: prod\n  cluster:\n    server: http://127.0.0.1:2\n\
                 contexts:\n- name: dev\n  context:\n    cluster: dev\n    user: u\n\
                 - name: prod\n  context:\n    cluster: prod\n    user: u\n\
                 users:\n- name: u\n  user:\n    token: secret-token\n"
            ),
        )
        .expect("kubeconfig");
        let fake = format!(
            "#!/bin/bash\ncfg=${{KUBECONFIG:-$HOME/.kube/config}}\n\
             ctx=$(sed -n 's/^current-context: *//p' \"$cfg\" 2>/dev/null)\n\
             echo \"$cfg $ctx\" >> {}\necho fake-kubectl-$1-$2\n",
            root.join("calls.log").display()
        );
        std::fs::write(root.join("bin/kubectl"), fake).expect("fake kubectl");
        std::fs::set_permissions(
            root.join("bin/kubectl"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod");
        std::fs::write(
            root.join("lesson/lesson.md"),
            "---\ntitle: Gate from the TUI\nnamespace: demo\n---\n# Gate\n\n## One\n\n\
             ```sh {id=first}\nkubectl get pods\n```\n\n\
             ```sh {id=second}\nkubectl get services\n```\n",
        )
        .expect("lesson");
        Self { dir, api }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn open(&self, tmux: &Tmux) {
        let r = self.root().display();
        tmux.type_line(&format!(
            "env -u KUBECONFIG -u KUBETUTOR_PROTECTED_CONTEXTS NO_COLOR=1 HOME={r}/home \
             XDG_RUNTIME_DIR={r}/run XDG_STATE_HOME={r}/state PATH={r}/bin:$PATH {} {r}/lesson/lesson.md",
            env!("CARGO_BIN_EXE_kubetutor")
        ));
        tmux.wait_for("Step 1/1");
    }

    fn calls(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.root().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let (cfg, ctx) = l.split_once(' ').unwrap_or((l, ""));
                (cfg.to_string(), ctx.to_string())
            })
            .collect()
    }

    /// Files under the runtime dir; the watchdog's bookkeeping goes a moment after exit.
    fn files_left(&self) -> Vec<PathBuf> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut out = Vec::new();
            let mut todo = vec![self.root().join("run")];
            while let Some(dir) = todo.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        todo.push(path);
                    } else {
                        out.push(path);
                    }
                }
            }
            if out.is_empty() || Instant::now() > deadline {
                return out;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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
    let user = room.root().join("home/.kube/config");
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
    let left = room.files_left();
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
    assert!(room.files_left().is_empty(), "{:?}", room.files_left());
}
