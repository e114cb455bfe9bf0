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

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{Mutex, Notify, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::config::{MonitorConfig, Seed};
use super::event::Addr;
use super::link::{self, LinkSpec};
use super::model::{LinkState, SentinelUpdate};
use super::probe::{Dialer, Probe, probe_master};
use crate::kube::portforward::{self, Forward, Target};

pub fn spawn_monitor(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) -> JoinHandle<()> {
    tokio::spawn(run(config, tx))
}

async fn run(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) {
    let (itx, mut irx) = mpsc::channel::<SentinelUpdate>(256);
    let mut tasks = JoinSet::new();
    let (dialer, seed_forward) = match start_seed(&config, &tx, &itx, &mut tasks).await {
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

/// Starts the first link (in service mode after the port-forward is up; failures go straight
/// to the caller's `tx`); `None` when the receiver is gone meanwhile.
async fn start_seed(
    config: &MonitorConfig,
    tx: &mpsc::Sender<SentinelUpdate>,
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
            let mut backoff = link::backoff();
            let forward = loop {
                match portforward::start(client.clone(), namespace, target.clone(), *port).await {
                    Ok(f) => break f,
                    Err(e) => {
                        let state = LinkState::Unreachable {
                            attempt: backoff.attempt(),
                            backoff: backoff.delay(),
                            error: e.to_string(),
                        };
                        let u = SentinelUpdate::Link {
                            endpoint: endpoint.clone(),
                            state,
                        };
                        tx.send(u).await.ok()?;
                        tokio::select! {
                            _ = tokio::time::sleep(backoff.delay()) => {}
                            _ = tx.closed() => return None,
                        }
                        backoff.failed();
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
    let mut backoff = link::backoff();
    let (host, port) = loop {
        match dialer.dial(&addr).await {
            Ok(ok) => break ok,
            Err(error) => {
                let state = LinkState::Unreachable {
                    attempt: backoff.attempt(),
                    backoff: backoff.delay(),
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
                tokio::time::sleep(backoff.delay()).await;
                backoff.failed();
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
