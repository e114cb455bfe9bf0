//! The monitor task: connects to the first sentinel, discovers the others from
//! `SENTINEL SENTINELS`, runs one [`link`](super::link) per sentinel and a probe of the master's
//! `INFO replication`, and sends every [`SentinelUpdate`] to the caller's channel.
//!
//! ```ignore
//! let (tx, mut rx) = tokio::sync::mpsc::channel(256);
//! let handle = spawn_monitor(MonitorConfig::from_pane(&pane, "redis-lesson", kube)?, tx);
//! while let Some(update) = rx.recv().await { view.apply(update, SystemTime::now()); }
//! ```
//! The task ends (and stops all its connections) when the receiver is dropped; it never panics
//! and reports every failure as state in the view.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::client;
use super::event::Addr;
use super::link::{self, LinkSpec};
use super::model::{LinkState, SentinelUpdate};
use crate::kube::portforward::{self, Forward, Target};
use crate::lesson::model::SentinelPaneConfig;

/// How often every sentinel's report is re-read when no event arrives.
pub const REFRESH: Duration = Duration::from_secs(2);

/// Where the first sentinel is.
#[derive(Clone)]
pub enum Seed {
    Address {
        host: String,
        port: u16,
    },
    /// A service in the lesson namespace, reached through a port-forward.
    Service {
        client: kube::Client,
        namespace: String,
        service: String,
        port: u16,
    },
}

#[derive(Clone)]
pub struct MonitorConfig {
    pub seed: Seed,
    pub master: String,
    pub password: Option<String>,
    pub refresh: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("sentinel pane: `address` must be host:port, got {0:?}")]
    BadAddress(String),
    #[error("sentinel pane: give either `address` or `service`, not both")]
    Both,
    #[error("sentinel pane: give `address` (host:port) or `service` (in the lesson namespace)")]
    Neither,
    #[error("sentinel pane: `service` needs a Kubernetes connection")]
    NoKube,
}

impl MonitorConfig {
    /// From the lesson front matter; the password falls back to `REDISCLI_AUTH`.
    pub fn from_pane(
        pane: &SentinelPaneConfig,
        namespace: &str,
        kube: Option<kube::Client>,
    ) -> Result<Self, ConfigError> {
        let seed = match (&pane.address, &pane.service) {
            (Some(_), Some(_)) => return Err(ConfigError::Both),
            (None, None) => return Err(ConfigError::Neither),
            (Some(a), None) => {
                let (host, port) = a
                    .rsplit_once(':')
                    .ok_or(ConfigError::BadAddress(a.clone()))?;
                let port = port
                    .parse()
                    .map_err(|_| ConfigError::BadAddress(a.clone()))?;
                Seed::Address {
                    host: host.trim_matches(['[', ']']).to_string(),
                    port,
                }
            }
            (None, Some(service)) => Seed::Service {
                client: kube.ok_or(ConfigError::NoKube)?,
                namespace: namespace.to_string(),
                service: service.clone(),
                port: pane.port,
            },
        };
        let password = pane
            .password
            .clone()
            .or_else(|| std::env::var("REDISCLI_AUTH").ok());
        Ok(Self {
            seed,
            master: pane.master.clone(),
            password,
            refresh: REFRESH,
        })
    }
}

pub fn spawn_monitor(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) -> JoinHandle<()> {
    tokio::spawn(run(config, tx))
}

/// Turns an address Sentinel reports into one we can dial: itself, or a forward to the pod.
struct Dialer {
    kube: Option<(kube::Client, String)>,
    forwards: Mutex<HashMap<Addr, Forward>>,
}

impl Dialer {
    async fn dial(&self, addr: &Addr) -> Result<(String, u16), String> {
        let Some((client, ns)) = &self.kube else {
            return Ok((addr.ip.clone(), addr.port));
        };
        let mut forwards = self.forwards.lock().await;
        if let Some(f) = forwards.get(addr) {
            return Ok(("127.0.0.1".into(), f.local.port()));
        }
        let target = Target::PodIp(addr.ip.clone());
        let f = portforward::start(client.clone(), ns, target, addr.port)
            .await
            .map_err(|e| format!("{addr}: {e} (pod IPs are not reachable from outside)"))?;
        let local = f.local.port();
        forwards.insert(addr.clone(), f);
        Ok(("127.0.0.1".into(), local))
    }
}

async fn run(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) {
    let (itx, mut irx) = mpsc::channel::<SentinelUpdate>(256);
    let mut tasks = JoinSet::new();
    let (dialer, seed_forward) = match start_seed(&config, &itx, &mut tasks).await {
        Some(ok) => ok,
        None => return,
    };
    let dialer = Arc::new(dialer);
    let (master_tx, master_rx) = watch::channel(None::<Addr>);
    let poke = Arc::new(Notify::new());
    let probe = Probe {
        dialer: dialer.clone(),
        password: config.password.clone(),
    };
    tasks.spawn(probe_master(
        probe,
        master_rx,
        poke.clone(),
        itx.clone(),
        config.refresh,
    ));

    let mut known_ids: HashSet<String> = HashSet::new();
    let mut known_endpoints: HashSet<String> = HashSet::new();
    loop {
        let update = tokio::select! {
            u = irx.recv() => u,
            _ = tx.closed() => None,
        };
        let Some(update) = update else { break };
        match &update {
            SentinelUpdate::Identity { run_id, endpoint } => {
                known_ids.insert(run_id.clone());
                known_endpoints.insert(endpoint.clone());
            }
            SentinelUpdate::Event { .. } => poke.notify_one(),
            SentinelUpdate::Topology { topology, .. } => {
                master_tx.send_if_modified(|m| {
                    let changed = m.as_ref() != Some(&topology.master.addr);
                    *m = Some(topology.master.addr.clone());
                    changed
                });
                for peer in &topology.sentinels {
                    let endpoint = peer.addr.to_string();
                    if known_ids.contains(&peer.run_id) || !known_endpoints.insert(endpoint.clone())
                    {
                        continue;
                    }
                    let spec = (config.clone(), endpoint, peer.addr.clone());
                    tasks.spawn(discovered(spec, dialer.clone(), itx.clone()));
                }
            }
            _ => {}
        }
        if tx.send(update).await.is_err() {
            break;
        }
    }
    tasks.abort_all();
    drop(seed_forward);
}

/// Starts the first link; `None` when the receiver is already gone.
async fn start_seed(
    config: &MonitorConfig,
    itx: &mpsc::Sender<SentinelUpdate>,
    tasks: &mut JoinSet<()>,
) -> Option<(Dialer, Option<Forward>)> {
    let spec = |endpoint: String, host: String, port: u16| LinkSpec {
        endpoint,
        host,
        port,
        master: config.master.clone(),
        password: config.password.clone(),
        refresh: config.refresh,
    };
    match &config.seed {
        Seed::Address { host, port } => {
            tasks.spawn(link::run(
                spec(format!("{host}:{port}"), host.clone(), *port),
                itx.clone(),
            ));
            Some((
                Dialer {
                    kube: None,
                    forwards: Mutex::default(),
                },
                None,
            ))
        }
        Seed::Service {
            client,
            namespace,
            service,
            port,
        } => {
            let endpoint = format!("svc/{service}:{port}");
            let target = Target::Service(service.clone());
            let mut attempt = 1;
            let mut backoff = link::BACKOFF_START;
            let forward = loop {
                match portforward::start(client.clone(), namespace, target.clone(), *port).await {
                    Ok(f) => break f,
                    Err(e) => {
                        let state = LinkState::Unreachable {
                            attempt,
                            backoff,
                            error: e.to_string(),
                        };
                        let u = SentinelUpdate::Link {
                            endpoint: endpoint.clone(),
                            state,
                        };
                        itx.send(u).await.ok()?;
                        tokio::time::sleep(backoff).await;
                        attempt += 1;
                        backoff = (backoff * 2).min(link::BACKOFF_MAX);
                    }
                }
            };
            let local = forward.local.port();
            tasks.spawn(link::run(
                spec(endpoint, "127.0.0.1".into(), local),
                itx.clone(),
            ));
            let kube = Some((client.clone(), namespace.clone()));
            Some((
                Dialer {
                    kube,
                    forwards: Mutex::default(),
                },
                Some(forward),
            ))
        }
    }
}

/// A sentinel found in a peer list: dial it (directly or through a pod forward, retried with
/// backoff while its pod cannot be found) and run its link.
async fn discovered(
    (config, endpoint, addr): (MonitorConfig, String, Addr),
    dialer: Arc<Dialer>,
    itx: mpsc::Sender<SentinelUpdate>,
) {
    let mut attempt = 1;
    let mut backoff = link::BACKOFF_START;
    let (host, port) = loop {
        match dialer.dial(&addr).await {
            Ok(ok) => break ok,
            Err(error) => {
                let state = LinkState::Unreachable {
                    attempt,
                    backoff,
                    error,
                };
                let link = SentinelUpdate::Link {
                    endpoint: endpoint.clone(),
                    state,
                };
                let note =
                    "some sentinels are not reachable from here; showing what the others report";
                let note = SentinelUpdate::Notice(Some(note.into()));
                if itx.send(link).await.is_err() || itx.send(note).await.is_err() {
                    return;
                }
                tokio::time::sleep(backoff).await;
                attempt += 1;
                backoff = (backoff * 2).min(link::BACKOFF_MAX);
            }
        }
    };
    let spec = LinkSpec {
        endpoint,
        host,
        port,
        master: config.master,
        password: config.password,
        refresh: config.refresh,
    };
    link::run(spec, itx).await;
}

/// Reads the current master's `INFO replication` on every refresh and after every event.
struct Probe {
    dialer: Arc<Dialer>,
    password: Option<String>,
}

async fn probe_master(
    probe: Probe,
    mut master: watch::Receiver<Option<Addr>>,
    poke: Arc<Notify>,
    itx: mpsc::Sender<SentinelUpdate>,
    every: Duration,
) {
    let mut con: Option<(Addr, redis::aio::MultiplexedConnection)> = None;
    loop {
        tokio::select! {
            _ = poke.notified() => {}
            _ = tokio::time::sleep(every) => {}
            r = master.changed() => if r.is_err() { return },
        }
        let Some(addr) = master.borrow_and_update().clone() else {
            continue;
        };
        if con.as_ref().is_some_and(|(a, _)| *a != addr) {
            con = None;
        }
        let info = match con.as_mut() {
            Some((_, c)) => client::replication(c).await.map_err(|e| e.to_string()),
            None => match connect_master(&probe, &addr).await {
                Ok(mut c) => {
                    let info = client::replication(&mut c).await.map_err(|e| e.to_string());
                    con = Some((addr.clone(), c));
                    info
                }
                Err(e) => Err(e),
            },
        };
        if info.is_err() {
            con = None;
        }
        if itx
            .send(SentinelUpdate::MasterInfo { addr, info })
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn connect_master(
    probe: &Probe,
    addr: &Addr,
) -> Result<redis::aio::MultiplexedConnection, String> {
    let (host, port) = probe.dialer.dial(addr).await?;
    let with = client::client(&host, port, probe.password.as_deref()).map_err(|e| e.to_string())?;
    match client::commands(&with).await {
        Ok(c) => Ok(c),
        // Lessons often protect only the sentinels; a server without a password refuses AUTH.
        Err(client::LinkError::AuthFailed(_)) if probe.password.is_some() => {
            let without = client::client(&host, port, None).map_err(|e| e.to_string())?;
            client::commands(&without).await.map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(
        address: Option<&str>,
        service: Option<&str>,
        password: Option<&str>,
    ) -> SentinelPaneConfig {
        SentinelPaneConfig {
            address: address.map(Into::into),
            service: service.map(Into::into),
            port: 26379,
            master: "mymaster".into(),
            password: password.map(Into::into),
        }
    }

    #[test]
    fn front_matter_to_config() {
        let c =
            MonitorConfig::from_pane(&pane(Some("10.0.0.1:26380"), None, Some("pw")), "ns", None)
                .expect("address mode");
        assert!(matches!(&c.seed, Seed::Address { host, port: 26380 } if host == "10.0.0.1"));
        assert_eq!(c.password.as_deref(), Some("pw"));
        let err = |p| {
            MonitorConfig::from_pane(&p, "ns", None)
                .err()
                .map(|e| e.to_string())
        };
        assert!(err(pane(Some("nohost"), None, None)).is_some_and(|e| e.contains("host:port")));
        assert!(err(pane(Some("h:99999"), None, None)).is_some());
        assert!(err(pane(Some("h:1"), Some("svc"), None)).is_some_and(|e| e.contains("not both")));
        assert!(err(pane(None, None, None)).is_some());
        assert!(
            err(pane(None, Some("redis-sentinel"), None)).is_some_and(|e| e.contains("Kubernetes"))
        );
    }
}
