//! Downtime, not only detection: every [`WRITE_PROBE`] the current master and its replicas are
//! asked `ROLE` (read-only); the window in which none answered `master` is the time writes
//! were really impossible. It starts long before the sentinels' `+sdown` (their
//! down-after-milliseconds) and may end before `+switch-master` (a promoted replica answers
//! `master` once it got `REPLICAOF NO ONE`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::join_all;
use redis::aio::MultiplexedConnection;
use tokio::sync::{mpsc, watch};

use super::client;
use super::event::Addr;
use super::model::SentinelUpdate;
use super::probe::{Probe, connect_master};

/// How often the servers are asked.
pub const WRITE_PROBE: Duration = Duration::from_millis(250);
/// How often while no server answers as master: the outage's end is the figure the learner
/// waits for, so it is seen within this, not within [`WRITE_PROBE`].
pub const OUTAGE_PROBE: Duration = Duration::from_millis(50);
/// A live server answers `ROLE` in microseconds; a connection (maybe a port-forward) in well
/// under a second.
const ANSWER: Duration = Duration::from_millis(200);
const CONNECT: Duration = Duration::from_secs(1);
/// Probes in a row without a master, and how long since the last answer, before writes count
/// as unavailable: one failed probe, or a port-forward reconnecting, is a blip.
const MISSES: u32 = 2;
const BLIP: Duration = Duration::from_millis(500);

/// A flip of "some server answers as master", stamped with the moment it was true last
/// (`ok: false`: the last answer before the outage) or again (`ok: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteProbe {
    pub ok: bool,
    pub at: SystemTime,
    /// The server that answered `master` (for `ok: true`).
    pub master: Option<Addr>,
}

/// Runs until `itx` closes. `servers`: the master and replicas the sentinels know.
pub async fn probe_writes(
    probe: Arc<Probe>,
    mut servers: watch::Receiver<Vec<Addr>>,
    itx: mpsc::Sender<SentinelUpdate>,
) {
    let mut cons: HashMap<Addr, MultiplexedConnection> = HashMap::new();
    let mut state: Option<bool> = None;
    let mut last_ok = None;
    let mut misses = 0;
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            r = servers.changed() => if r.is_err() { return },
        }
        let asked = tokio::time::Instant::now();
        let addrs = servers.borrow_and_update().clone();
        next = asked + WRITE_PROBE;
        if addrs.is_empty() {
            continue;
        }
        cons.retain(|a, _| addrs.contains(a));
        let master = ask_all(&probe, &addrs, &mut cons).await;
        let now = SystemTime::now();
        let ok = master.is_some();
        if ok {
            last_ok = Some(now);
            misses = 0;
        } else {
            misses += 1;
        }
        // Missed ticks are skipped, not caught up: a slow round is followed by the next one.
        let every = if ok { WRITE_PROBE } else { OUTAGE_PROBE };
        next = (asked + every).max(tokio::time::Instant::now());
        // One missed answer is a blip (a port-forward reconnecting), not an outage: it takes
        // two probes in a row and half a second. The outage still starts at the last answer.
        let silent = last_ok.and_then(|t| now.duration_since(t).ok());
        if !ok && (misses < MISSES || silent.is_some_and(|s| s < BLIP)) {
            continue;
        }
        // Nothing to report before the first answer: a lesson still starting is no outage.
        if state == Some(ok) || (state.is_none() && !ok) {
            continue;
        }
        state = Some(ok);
        let at = if ok { now } else { last_ok.unwrap_or(now) };
        match &master {
            Some(m) => {
                tracing::info!(master = %m, of = ?addrs, "writes: a server answers as master")
            }
            None => tracing::info!(of = ?addrs, "writes: no server answers as master"),
        }
        let update = SentinelUpdate::Writes(WriteProbe { ok, at, master });
        if itx.send(update).await.is_err() {
            return;
        }
    }
}

/// Asks every server at once; the first that says `master`, if any.
async fn ask_all(
    probe: &Probe,
    addrs: &[Addr],
    cons: &mut HashMap<Addr, MultiplexedConnection>,
) -> Option<Addr> {
    let asks = addrs.iter().map(|a| {
        let con = cons.remove(a);
        async move { (a.clone(), ask(probe, a, con).await) }
    });
    let mut master = None;
    for (addr, (role, con)) in join_all(asks).await {
        if let Some(con) = con {
            cons.insert(addr.clone(), con);
        }
        if role.as_deref() == Some("master") && master.is_none() {
            master = Some(addr);
        }
    }
    master
}

async fn ask(
    probe: &Probe,
    addr: &Addr,
    con: Option<MultiplexedConnection>,
) -> (Option<String>, Option<MultiplexedConnection>) {
    let mut con = match con {
        Some(c) => c,
        None => match tokio::time::timeout(CONNECT, connect_master(probe, addr)).await {
            Ok(Ok(c)) => c,
            _ => return (None, None),
        },
    };
    match tokio::time::timeout(ANSWER, client::role(&mut con)).await {
        Ok(Ok(role)) => (Some(role), Some(con)),
        _ => (None, None),
    }
}
