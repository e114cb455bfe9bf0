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

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::config::{MonitorConfig, Seed, WakeHandle, wake_channel};
use super::event::Addr;
use super::link::{self, LinkSpec};
use super::model::{LinkState, SentinelUpdate};
use super::probe::{Dialer, Probe, probe_master};
use super::writes::probe_writes;
use crate::kube::endpoints::{self, Endpoints};
use crate::kube::portforward::{self, Forward, Target};

pub fn spawn_monitor(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) -> JoinHandle<()> {
    tokio::spawn(run(config, tx))
}

async fn run(config: MonitorConfig, tx: mpsc::Sender<SentinelUpdate>) {
    let (itx, mut irx) = mpsc::channel::<SentinelUpdate>(256);
    let mut tasks = JoinSet::new();
    // The links wake on the caller's wake (a job started) and on the service's endpoints
    // changing (a pod became ready): one wake for both.
    let (wake, woken) = wake_channel();
    let wake = Arc::new(wake);
    let mut outer = config.wake.clone();
    let relay = wake.clone();
    tasks.spawn(async move {
        loop {
            outer.woken().await;
            relay.wake();
        }
    });
    let config = MonitorConfig {
        wake: woken,
        ..config
    };
    let (dialer, seed_forward) = match start_seed(&config, &tx, &itx, &mut tasks, &wake).await {
        Some(ok) => ok,
        None => return,
    };
    let dialer = Arc::new(dialer);
    let (master_tx, master_rx) = watch::channel(None::<Addr>);
    let (servers_tx, servers_rx) = watch::channel(Vec::<Addr>::new());
    let poke = Arc::new(Notify::new());
    let probe = Probe {
        dialer: dialer.clone(),
        password: config.password.clone(),
    };
    let probe = Arc::new(probe);
    tasks.spawn(probe_writes(probe.clone(), servers_rx, itx.clone()));
    tasks.spawn(probe_master(
        probe,
        master_rx,
        poke.clone(),
        itx.clone(),
        config.refresh,
    ));

    let mut known_ids: HashSet<String> = HashSet::new();
    let mut known_endpoints: HashSet<String> = HashSet::new();
    // The sentinel the seed link reaches; through a service it changes when its pod goes.
    let mut seed_id: Option<String> = None;
    loop {
        let update = tokio::select! {
            u = irx.recv() => u,
            _ = tx.closed() => None,
        };
        let Some(update) = update else { break };
        match &update {
            SentinelUpdate::Identity { run_id, endpoint } => {
                if is_seed(&config, endpoint)
                    && let Some(old) = seed_id.replace(run_id.clone())
                    && old != *run_id
                {
                    // The seed moved on: follow the old one by its own address, so a sentinel
                    // that is gone shows as gone instead of vanishing.
                    known_ids.remove(&old);
                }
                known_ids.insert(run_id.clone());
                known_endpoints.insert(endpoint.clone());
            }
            SentinelUpdate::Event { .. } => poke.notify_one(),
            SentinelUpdate::Topology { topology, .. } => {
                let mut servers = vec![topology.master.addr.clone()];
                servers.extend(topology.replicas.iter().map(|r| r.addr.clone()));
                servers_tx.send_if_modified(|s| {
                    let changed = *s != servers;
                    *s = servers;
                    changed
                });
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

/// The seed link's endpoint name (the view knows links by it).
pub fn seed_endpoint(seed: &Seed) -> String {
    match seed {
        Seed::Address { host, port } => format!("{host}:{port}"),
        Seed::Service { service, port, .. } => format!("svc/{service}:{port}"),
    }
}

fn is_seed(config: &MonitorConfig, endpoint: &str) -> bool {
    seed_endpoint(&config.seed) == endpoint
}

/// Starts the first link (in service mode after the port-forward is up; failures go straight
/// to the caller's `tx`); `None` when the receiver is gone meanwhile.
async fn start_seed(
    config: &MonitorConfig,
    tx: &mpsc::Sender<SentinelUpdate>,
    itx: &mpsc::Sender<SentinelUpdate>,
    tasks: &mut JoinSet<()>,
    wake: &Arc<WakeHandle>,
) -> Option<(Dialer, Option<Forward>)> {
    let spec = |endpoint: String, host: String, port: u16, max_backoff| LinkSpec {
        endpoint,
        host,
        port,
        master: config.master.clone(),
        password: config.password.clone(),
        refresh: config.refresh,
        wake: config.wake.clone(),
        max_backoff,
    };
    match &config.seed {
        Seed::Address { host, port } => {
            tasks.spawn(link::run(
                spec(
                    format!("{host}:{port}"),
                    host.clone(),
                    *port,
                    link::backoff_max(host),
                ),
                itx.clone(),
            ));
            Some((Dialer::new(None, false), None))
        }
        Seed::Service {
            client,
            namespace,
            service,
            port,
            pods_directly,
        } => {
            let (etx, ready) = watch::channel(Endpoints::Unknown);
            tasks.spawn(endpoints::follow(
                client.clone(),
                namespace.clone(),
                service.clone(),
                etx,
            ));
            let forward =
                forward_when_ready(client, namespace, service, *port, ready, tx, wake).await?;
            let endpoint = seed_endpoint(&config.seed);
            let local = forward.local.port();
            // The local end of a forward: its backoff is the cluster's, not loopback's.
            tasks.spawn(link::run(
                spec(endpoint, "127.0.0.1".into(), local, link::BACKOFF_MAX),
                itx.clone(),
            ));
            let kube = Some((client.clone(), namespace.clone()));
            Some((Dialer::new(kube, *pods_directly), Some(forward)))
        }
    }
}

/// Waits for a ready endpoint of the service (watched, so no backoff delays the first
/// connection), then starts the forward; later endpoint changes wake the links, so the seed
/// reconnects through a new pod at once. The link's own retries are the only counter shown.
async fn forward_when_ready(
    client: &kube::Client,
    namespace: &str,
    service: &str,
    port: u16,
    mut ready: watch::Receiver<Endpoints>,
    tx: &mpsc::Sender<SentinelUpdate>,
    wake: &Arc<WakeHandle>,
) -> Option<Forward> {
    let endpoint = format!("svc/{service}:{port}");
    let seed = |state| SentinelUpdate::Link {
        endpoint: endpoint.clone(),
        state,
    };
    tx.send(seed(LinkState::Connecting { attempt: 1 }))
        .await
        .ok()?;
    let mut backoff = link::backoff();
    let mut said = None;
    let forward = loop {
        let now = ready.borrow_and_update().clone();
        let explain = now.explain(service);
        if explain != said {
            said = explain.clone();
            tx.send(SentinelUpdate::Notice(explain)).await.ok()?;
        }
        if matches!(now, Endpoints::Ready(_) | Endpoints::Unwatchable(_)) {
            let target = Target::Service(service.to_string());
            match portforward::start(client.clone(), namespace, target, port).await {
                Ok(f) => break f,
                Err(e) => {
                    let state = LinkState::Unreachable {
                        attempt: backoff.attempt(),
                        backoff: backoff.delay(),
                        error: e.to_string(),
                    };
                    tx.send(seed(state)).await.ok()?;
                    tokio::select! {
                        _ = tokio::time::sleep(backoff.delay()) => {
                            backoff.failed();
                            continue;
                        }
                        _ = tx.closed() => return None,
                    }
                }
            }
        }
        tokio::select! {
            r = ready.changed() => r.ok()?,
            _ = tx.closed() => return None,
        }
    };
    if said.is_some() {
        tx.send(SentinelUpdate::Notice(None)).await.ok()?;
    }
    let wake = wake.clone();
    tokio::spawn(async move {
        while ready.changed().await.is_ok() {
            wake.wake();
        }
    });
    Some(forward)
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
    let max_backoff = match dialer.kube {
        Some(_) => link::BACKOFF_MAX,
        None => link::backoff_max(&host),
    };
    let spec = LinkSpec {
        endpoint,
        host,
        port,
        master: config.master,
        password: config.password,
        refresh: config.refresh,
        wake: config.wake,
        max_backoff,
    };
    link::run(spec, itx).await;
}
