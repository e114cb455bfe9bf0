//! A real Redis Sentinel setup on loopback: 1 master, 2 replicas, 3 sentinels, each on a free
//! port, files in a temp dir. Every process is killed when the `Cluster` is dropped, pass or fail.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use kubetutor::sentinel::model::LinkState;
use kubetutor::sentinel::{
    Health, MonitorConfig, Seed, SentinelUpdate, SentinelView, spawn_monitor, wake_channel,
};
use tokio::sync::mpsc;

pub const MASTER: &str = "mymaster";

pub struct Proc {
    pub port: u16,
    child: Option<Child>,
}

impl Proc {
    /// SIGKILL: the process gets no chance to say goodbye, like a deleted pod.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub struct Cluster {
    pub master: Proc,
    pub replicas: Vec<Proc>,
    pub sentinels: Vec<Proc>,
    _dir: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for p in self.sentinels.iter_mut().chain(self.replicas.iter_mut()) {
            p.kill();
        }
        self.master.kill();
    }
}

pub fn require_redis() {
    let found = |b: &str| Command::new(b).arg("--version").output().is_ok();
    if !(found("redis-server") && found("redis-sentinel")) {
        let deps = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/deps");
        let _ = Command::new(deps).status();
    }
    assert!(
        found("redis-server") && found("redis-sentinel"),
        "redis-server/redis-sentinel missing"
    );
}

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    l.local_addr().expect("local addr").port()
}

fn spawn(bin: &str, args: &[&str], dir: &Path, log: &str) -> Child {
    let log = std::fs::File::create(dir.join(log)).expect("log file");
    Command::new(bin)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("start {bin}: {e}"))
}

/// One RESP command over a plain socket: enough to wait for readiness without our own client.
pub fn raw(port: u16, cmd: &[&str]) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    let mut req = format!("*{}\r\n", cmd.len());
    for a in cmd {
        req += &format!("${}\r\n{a}\r\n", a.len());
    }
    s.write_all(req.as_bytes()).ok()?;
    let mut buf = vec![0; 16 * 1024];
    let n = s.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

pub fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Cluster {
    /// `sentinel_password`: `requirepass` on the sentinels (the servers stay open).
    pub fn start(sentinel_password: Option<&str>) -> Cluster {
        require_redis();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let server = |port: u16, replica_of: Option<u16>, name: &str| {
            let p = port.to_string();
            let mut args = vec![
                "--port",
                &p,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ];
            let m = replica_of.map(|m| m.to_string());
            if let Some(m) = &m {
                args.extend(["--replicaof", "127.0.0.1", m]);
            }
            Proc {
                port,
                child: Some(spawn("redis-server", &args, &path, name)),
            }
        };
        let master = server(free_port(), None, "master.log");
        let mut cluster = Cluster {
            master,
            replicas: vec![],
            sentinels: vec![],
            _dir: dir,
        };
        let mp = cluster.master.port;
        for i in 0..2 {
            let r = server(free_port(), Some(mp), &format!("replica{i}.log"));
            cluster.replicas.push(r);
        }
        let ports: Vec<u16> = cluster.replicas.iter().map(|r| r.port).collect();
        for port in ports {
            wait_for("replica in sync", Duration::from_secs(10), || {
                raw(port, &["INFO", "replication"])
                    .is_some_and(|i| i.contains("master_link_status:up"))
            });
        }
        for i in 0..3 {
            let s = cluster.start_sentinel(i, sentinel_password);
            cluster.sentinels.push(s);
        }
        cluster
    }

    fn start_sentinel(&self, i: usize, password: Option<&str>) -> Proc {
        let port = free_port();
        let dir = self._dir.path();
        let mut conf = format!(
            "port {port}\nbind 127.0.0.1\ndir {}\n\
             sentinel monitor {MASTER} 127.0.0.1 {} 2\n\
             sentinel down-after-milliseconds {MASTER} 1000\n\
             sentinel failover-timeout {MASTER} 5000\n\
             sentinel parallel-syncs {MASTER} 1\n",
            dir.display(),
            self.master.port
        );
        if let Some(p) = password {
            conf += &format!("requirepass {p}\nsentinel sentinel-pass {p}\n");
        }
        let path = dir.join(format!("sentinel{i}.conf"));
        std::fs::write(&path, conf).expect("write sentinel.conf");
        let path = path.to_string_lossy().into_owned();
        let child = spawn("redis-sentinel", &[&path], dir, &format!("sentinel{i}.log"));
        wait_for("sentinel up", Duration::from_secs(10), || {
            raw(port, &["PING"]).is_some()
        });
        Proc {
            port,
            child: Some(child),
        }
    }

    pub fn config(&self, master: &str, password: Option<&str>) -> MonitorConfig {
        MonitorConfig {
            seed: Seed::Address {
                host: "127.0.0.1".into(),
                port: self.sentinels[0].port,
            },
            master: master.into(),
            password: password.map(str::to_string),
            refresh: Duration::from_millis(500),
            wake: Default::default(),
        }
    }
}

/// A sentinel on `port` watching a master that need not exist, started now (not waited for:
/// the caller measures how soon it is seen).
pub fn spawn_sentinel(dir: &Path, port: u16) -> Proc {
    let master = free_port();
    let conf = format!(
        "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor {MASTER} 127.0.0.1 {master} 2\n",
        dir.display()
    );
    let path = dir.join(format!("sentinel-{port}.conf"));
    std::fs::write(&path, conf).expect("write sentinel.conf");
    let path = path.to_string_lossy().into_owned();
    let child = spawn(
        "redis-sentinel",
        &[&path],
        dir,
        &format!("sentinel-{port}.log"),
    );
    Proc {
        port,
        child: Some(child),
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A monitor feeding a view; `until` drives it until a condition holds on the view.
pub struct Watch {
    pub view: SentinelView,
    rx: mpsc::Receiver<SentinelUpdate>,
    pub log: Vec<SentinelUpdate>,
    _task: Option<tokio::task::JoinHandle<()>>,
}

impl Watch {
    pub fn start(config: MonitorConfig) -> Watch {
        let (tx, rx) = mpsc::channel(256);
        let view = SentinelView::new(config.master.clone(), SystemTime::now());
        Watch {
            view,
            rx,
            log: vec![],
            _task: Some(spawn_monitor(config, tx)),
        }
    }

    /// For a monitor the test spawned itself.
    pub fn from_parts(master: &str, rx: mpsc::Receiver<SentinelUpdate>) -> Watch {
        let view = SentinelView::new(master, SystemTime::now());
        Watch {
            view,
            rx,
            log: vec![],
            _task: None,
        }
    }

    /// Applies updates until `ok(view)`; panics with the view after `timeout`.
    pub async fn until(
        &mut self,
        what: &str,
        timeout: Duration,
        ok: impl Fn(&SentinelView) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + timeout;
        while !ok(&self.view) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(u)) => {
                    self.log.push(u.clone());
                    self.view.apply(u, SystemTime::now());
                }
                Ok(None) => panic!("monitor ended while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; view: {:#?}",
                    self.view.health()
                ),
            }
        }
    }
}

/// Waits until the seed link sleeps its longest loopback backoff, starts a sentinel there
/// (waking the monitor as the TUI does when `wake`), and returns how long until connected.
pub async fn connect_after_start(wake: bool) -> Duration {
    require_redis();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let (handle, woken) = wake_channel();
    let config = MonitorConfig {
        seed: Seed::Address {
            host: "127.0.0.1".into(),
            port,
        },
        master: MASTER.into(),
        password: None,
        refresh: Duration::from_millis(500),
        wake: woken,
    };
    let mut w = Watch::start(config);
    let capped = |v: &SentinelView| {
        v.links.first().is_some_and(|l| {
            matches!(l.state, LinkState::Unreachable { backoff, .. } if backoff >= Duration::from_millis(500))
        })
    };
    w.until(
        "backoff at its loopback cap",
        Duration::from_secs(10),
        capped,
    )
    .await;
    assert!(matches!(w.view.health(), Health::Waiting { .. }));
    let started = Instant::now();
    let _sentinel = spawn_sentinel(dir.path(), port);
    if wake {
        handle.wake();
    }
    w.until("connected", Duration::from_secs(10), |v| {
        matches!(v.health(), Health::Connected { .. })
    })
    .await;
    started.elapsed()
}

/// The baseline: a sentinel started now, polled with a bare `PING` every millisecond; how long
/// until it answers (no client can connect sooner).
pub fn ping_after_start() -> Duration {
    require_redis();
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let started = Instant::now();
    let _sentinel = spawn_sentinel(dir.path(), port);
    while raw(port, &["PING"]).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "sentinel never answered"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    started.elapsed()
}
