//! The cluster gate of `kubetutor run`, end to end, with a fake `kubectl` first on PATH that logs
//! which kubeconfig and context it would have used (nothing here reaches a cluster).

use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::*;

const LOCKED: &str = "kubetutor-cluster-not-confirmed-yet";

struct Sandbox {
    dir: tempfile::TempDir,
}

/// A stand-in API server on loopback that says every namespace exists (all `run` asks it).
fn api_stub() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten().take(64) {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let body = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(reply.as_bytes());
        }
    });
    port
}

impl Sandbox {
    /// HOME with a kubeconfig whose current context is `current`, a fake kubectl, and a
    /// runtime dir for the private kubeconfig.
    fn new(current: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for sub in ["home/.kube", "bin", "run", "lesson"] {
            std::fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        let port = api_stub();
        let config = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {current}\nclusters:\n\
             - name: dev\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             - name: prod\n  cluster:\n    server: http://127.0.0.1:2\n\
             contexts:\n- name: dev\n  context:\n    cluster: dev\n    user: u\n\
             - name: prod\n  context:\n    cluster: prod\n    user: u\n\
             users:\n- name: u\n  user:\n    token: secret-token\n"
        );
        std::fs::write(root.join("home/.kube/config"), config).expect("kubeconfig");
        // Logs the kubeconfig it would read and that file's current context.
        let fake = format!(
            "#!/bin/bash\ncfg=${{KUBECONFIG:-$HOME/.kube/config}}\n\
             ctx=$(sed -n 's/^current-context: *//p' \"$cfg\" 2>/dev/null)\n\
             echo \"$cfg $ctx\" >> {}\necho fake-kubectl \"$@\"\n",
            root.join("calls.log").display()
        );
        let bin = root.join("bin/kubectl");
        std::fs::write(&bin, fake).expect("fake kubectl");
        std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        Self { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn user_config(&self) -> PathBuf {
        self.root().join("home/.kube/config")
    }

    fn run(&self, cells: &[&str], args: &[&str]) -> Output {
        let mut text = String::from("---\ntitle: Gate\nnamespace: demo\n---\n# Gate\n\n## One\n");
        for (i, code) in cells.iter().enumerate() {
            text.push_str(&format!("\n```sh {{id=c{i}}}\n{code}\n```\n"));
        }
        let file = self.root().join("lesson/lesson.md");
        std::fs::write(&file, text).expect("lesson");
        std::fs::write(
            self.root().join("lesson/deploy.sh"),
            "#!/bin/bash\nkubectl get pods\n",
        )
        .expect("script");
        let path = format!(
            "{}:{}",
            self.root().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        kubetutor()
            .arg("run")
            .arg(&file)
            .args(args)
            .env("HOME", self.root().join("home"))
            .env("XDG_RUNTIME_DIR", self.root().join("run"))
            .env("PATH", path)
            .env_remove("KUBECONFIG")
            .env_remove("KUBETUTOR_PROTECTED_CONTEXTS")
            .output()
            .expect("run kubetutor")
    }

    /// (kubeconfig path, its current context) for every kubectl call.
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

    /// Files left in the runtime dir after the run (the orphan watchdog's list goes a moment
    /// after we exit, so it gets a few seconds).
    fn leftovers(&self) -> Vec<PathBuf> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let left = self.files_left();
            if left.is_empty() || std::time::Instant::now() > deadline {
                return left;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn files_left(&self) -> Vec<PathBuf> {
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
        out
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// kubectl reached without the word `kubectl` runs before any confirmation: it must see the
/// locked private kubeconfig, never the user's (whose current context is `prod`).
#[test]
fn kubectl_by_any_other_name_sees_only_the_locked_kubeconfig() {
    for code in [
        "k=kubectl; $k get pods",
        "eval \"kube\"\"ctl get pods\"",
        "bash ./deploy.sh",
        "K=kubectl; ${K} get pods",
    ] {
        let sb = Sandbox::new("prod");
        let out = sb.run(&[code], &[]);
        let calls = sb.calls();
        assert!(
            !calls.is_empty(),
            "{code}: kubectl never ran: {}",
            text(&out)
        );
        for (cfg, ctx) in &calls {
            assert_eq!(ctx, LOCKED, "{code}: reached context {ctx} through {cfg}");
            assert!(
                cfg.starts_with(&sb.root().join("run").display().to_string()),
                "{code}: used {cfg}"
            );
        }
        assert!(sb.leftovers().is_empty(), "{code}: {:?}", sb.leftovers());
    }
}

/// Spellings the shell scanner reads as kubectl after quote removal (`kube""ctl`, `\kubectl`,
/// `kube\ctl`): the cell needs the cluster, the protected current context refuses, and
/// nothing runs at all.
#[test]
fn kubectl_spelled_with_quotes_or_escapes_is_seen_and_refused_on_a_protected_context() {
    for code in [
        "kube\"\"ctl get pods",
        "\\kubectl get pods",
        "f() { kube\\ctl get pods; }; f",
        "echo \"$(kube''ctl get pods)\"",
        "printf 'get pods' | xargs kube''ctl",
    ] {
        let sb = Sandbox::new("prod");
        let out = sb.run(&[code], &[]);
        assert!(!out.status.success(), "{code}: {}", text(&out));
        assert!(text(&out).contains("protected"), "{code}: {}", text(&out));
        assert!(
            sb.calls().is_empty(),
            "{code}: kubectl ran: {:?}",
            sb.calls()
        );
        assert!(sb.leftovers().is_empty(), "{code}: {:?}", sb.leftovers());
    }
}

#[test]
fn after_consent_cells_cannot_leave_the_private_kubeconfig() {
    let sb = Sandbox::new("dev");
    let out = sb.run(
        &[
            "kubectl get pods",
            // Hidden from the scanner: an exported KUBECONFIG carried into later cells.
            "v=KUBECONFIG; export \"$v=$HOME/.kube/config\"",
            "kubectl get pods",
        ],
        &["--yes"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let calls = sb.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    for (cfg, ctx) in &calls {
        assert_eq!(ctx, "dev");
        assert_ne!(
            Path::new(cfg),
            sb.user_config(),
            "re-exported before every cell"
        );
    }
    assert!(
        sb.leftovers().is_empty(),
        "credentials left: {:?}",
        sb.leftovers()
    );
}

#[test]
fn spelled_out_escapes_are_refused_even_with_keep_going() {
    for code in [
        "KUBECONFIG=~/.kube/config kubectl get pods",
        "unset KUBECONFIG; kubectl get pods",
        "export KUBECONFIG=$HOME/.kube/config",
        "kubectl --kubeconfig ~/.kube/config --context prod get pods",
        "kubectl config set-cluster dev --server=http://127.0.0.1:2",
        "kubectl --context prod get pods",
    ] {
        let sb = Sandbox::new("dev");
        let out = sb.run(
            &["kubectl get pods", code, "echo after"],
            &["--yes", "--keep-going"],
        );
        let all = text(&out);
        assert!(!out.status.success(), "{code}: {all}");
        assert!(
            all.contains("refused") || all.contains("protected"),
            "{code}: {all}"
        );
        assert!(
            !all.contains("\nafter"),
            "{code}: ran on after a refusal: {all}"
        );
        assert_eq!(sb.calls().len(), 1, "{code}: {:?}", sb.calls());
    }
}

#[test]
fn a_cell_rewriting_the_private_kubeconfig_stops_the_run() {
    let sb = Sandbox::new("dev");
    let out = sb.run(
        &[
            "kubectl get pods",
            // Not `kubectl config`: the after-cell check catches it, whatever wrote the file.
            "sed -i 's#server: .*#server: http://127.0.0.1:2#' \"$(printenv KUBE''CONFIG)\"",
            "kubectl get pods",
        ],
        &["--yes", "--keep-going"],
    );
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("127.0.0.1:2"), "{all}");
    assert_eq!(sb.calls().len(), 1, "{:?}", sb.calls());
}

#[test]
fn a_context_switch_in_the_users_kubeconfig_stops_the_next_cell() {
    let sb = Sandbox::new("dev");
    let config = sb.user_config().display().to_string();
    let switch = format!("sed -i 's/^current-context: dev/current-context: prod/' {config}");
    let out = sb.run(
        &["kubectl get pods", &switch, "kubectl get pods"],
        &["--yes", "--keep-going"],
    );
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("changed from \"dev\" to \"prod\""), "{all}");
    assert_eq!(sb.calls().len(), 1, "{:?}", sb.calls());
}

#[test]
fn a_protected_current_context_refuses_before_anything_runs() {
    let sb = Sandbox::new("prod");
    let out = sb.run(&["kubectl get pods"], &["--yes"]);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("protected pattern"), "{all}");
    assert!(sb.calls().is_empty(), "{:?}", sb.calls());
    assert!(sb.leftovers().is_empty());
}
