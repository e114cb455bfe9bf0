//! A stand-in for a cluster, for the cluster-gate tests of both front-ends: a HOME whose
//! kubeconfig has a `dev` context (on a loopback API stub) and a `prod` one, a fake `kubectl`
//! first on PATH that logs which kubeconfig and context it would use, and a runtime dir for the
//! private kubeconfig. Nothing here reaches a real cluster.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the API stub says about the lesson namespace `demo`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    /// It exists (GET 200).
    Exists,
    /// It does not until it is created: GET 404, POST 201, then GET 200.
    Missing,
}

pub struct FakeCluster {
    pub dir: tempfile::TempDir,
    /// The first line of every request the API stub received.
    pub api: Arc<Mutex<Vec<String>>>,
}

impl FakeCluster {
    /// Creates `home/.kube/config` (current context `current`), `bin/kubectl`, `run/` and `lesson/`.
    pub fn new(current: &str, namespace: Namespace) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for sub in ["home/.kube", "bin", "run", "state", "lesson"] {
            std::fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        let (port, api) = api_stub(namespace);
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
        // Logs the kubeconfig it would read and that file's current context.
        let fake = format!(
            "#!/bin/bash\ncfg=${{KUBECONFIG:-$HOME/.kube/config}}\n\
             ctx=$(sed -n 's/^current-context: *//p' \"$cfg\" 2>/dev/null)\n\
             echo \"$cfg $ctx\" >> {}\necho fake-kubectl \"$@\"\necho fake-kubectl-$1-$2\n",
            root.join("calls.log").display()
        );
        let bin = root.join("bin/kubectl");
        std::fs::write(&bin, fake).expect("fake kubectl");
        std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        Self { dir, api }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn user_config(&self) -> PathBuf {
        self.root().join("home/.kube/config")
    }

    /// PATH with the fake kubectl first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.root().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// (kubeconfig path, its current context) for every kubectl call.
    pub fn calls(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.root().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let (cfg, ctx) = l.split_once(' ').unwrap_or((l, ""));
                (cfg.to_string(), ctx.to_string())
            })
            .collect()
    }

    /// Files left in the runtime dir after kubetutor exited (the orphan watchdog's list goes a
    /// moment after the exit, so it gets a few seconds).
    pub fn leftovers(&self) -> Vec<PathBuf> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = files_under(&self.root().join("run"));
            if left.is_empty() || Instant::now() > deadline {
                return left;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
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
    out
}

/// The API stub on loopback: its port and the request lines it received.
fn api_stub(namespace: Namespace) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut created = namespace == Namespace::Exists;
        for mut conn in listener.incoming().flatten().take(256) {
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).unwrap_or(0);
            let line = String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
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
