//! Downtime, not only detection: the current master and its replicas are each asked `ROLE`
//! (read-only) on their own schedule, every [`WRITE_PROBE`] while writes work and every
//! [`OUTAGE_PROBE`] while they do not; the window in which none answered `master` is the time
//! writes were really impossible. It starts long before the sentinels' `+sdown` (their
//! down-after-milliseconds) and may end before `+switch-master` (a promoted replica answers
//! `master` once it got `REPLICAOF NO ONE`).
//!
//! Each server has a task of its own so that none waits for another: a server whose pod is
//! gone may take [`CONNECT`] to fail (a pod IP dialled directly does not refuse, it stays
//! silent), and the promoted replica's first `master` must be seen within [`OUTAGE_PROBE`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use redis::aio::MultiplexedConnection;
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};

use super::client;
use super::event::Addr;
use super::model::SentinelUpdate;
use super::probe::{Probe, connect_master};

/// How often each server is asked while some server answers as master.
pub const WRITE_PROBE: Duration = Duration::from_millis(250);
/// How often while no server answers as master: the outage's end is the figure the learner
/// waits for, so it is seen within this, not within [`WRITE_PROBE`].
pub const OUTAGE_PROBE: Duration = Duration::from_millis(50);
/// A live server answers `ROLE` in microseconds; a connection (maybe a port-forward) in well
/// under a second.
const ANSWER: Duration = Duration::from_millis(200);
const CONNECT: Duration = Duration::from_secs(1);
/// How long without a `master` answer before writes count as unavailable: one failed probe,
/// or a port-forward reconnecting, is a blip. The outage still starts at the last answer.
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

/// Runs until `itx` closes (or `servers` does). `servers`: the master and replicas the
/// sentinels know; each has a task asking it, ended with this one.
pub async fn probe_writes(
    probe: Arc<Probe>,
    mut servers: watch::Receiver<Vec<Addr>>,
    itx: mpsc::Sender<SentinelUpdate>,
) {
    let (answers_tx, mut answers) = mpsc::channel::<(Addr, SystemTime)>(64);
    // Whether writes work, as the servers' tasks pace themselves by it.
    let (writable_tx, _) = watch::channel(true);
    // Dropped with this future: every server's task is aborted with it.
    let mut tasks = JoinSet::new();
    let mut asking: HashMap<Addr, AbortHandle> = HashMap::new();
    let mut follow = |addrs: Vec<Addr>, tasks: &mut JoinSet<()>| {
        asking.retain(|a, task| {
            let keep = addrs.contains(a);
            if !keep {
                task.abort();
            }
            keep
        });
        for a in addrs {
            asking.entry(a.clone()).or_insert_with(|| {
                let task = ask_server(
                    probe.clone(),
                    a,
                    answers_tx.clone(),
                    writable_tx.subscribe(),
                );
                tasks.spawn(task)
            });
        }
        while tasks.try_join_next().is_some() {}
    };
    follow(servers.borrow_and_update().clone(), &mut tasks);
    let mut state: Option<bool> = None;
    let mut last_ok: Option<(SystemTime, tokio::time::Instant)> = None;
    loop {
        // Only while writes work can they stop working.
        let stale_at = last_ok
            .filter(|_| state == Some(true))
            .map(|(_, seen)| seen + BLIP);
        // Answers first: after a stall, those that queued up meanwhile are no outage.
        let answer = tokio::select! {
            biased;
            a = answers.recv() => a,
            r = servers.changed() => {
                if r.is_err() {
                    return;
                }
                follow(servers.borrow_and_update().clone(), &mut tasks);
                continue;
            }
            _ = sleep_until_some(stale_at) => None,
            _ = itx.closed() => return,
        };
        let flip = match answer {
            Some((master, at)) => {
                last_ok = Some((at, tokio::time::Instant::now()));
                (state != Some(true)).then_some(WriteProbe {
                    ok: true,
                    at,
                    master: Some(master),
                })
            }
            // Silent for BLIP since the last answer: an outage, from that answer on. Nothing to
            // report before the first answer: a lesson still starting is no outage.
            None => match (state, last_ok) {
                (Some(true), Some((at, _))) => Some(WriteProbe {
                    ok: false,
                    at,
                    master: None,
                }),
                _ => None,
            },
        };
        let Some(flip) = flip else { continue };
        state = Some(flip.ok);
        writable_tx.send_replace(flip.ok);
        let at_ms = flip
            .at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        match &flip.master {
            Some(m) => tracing::info!(master = %m, at_ms, "writes: a server answers as master"),
            None => tracing::info!(at_ms, "writes: no server answers as master"),
        }
        if itx.send(SentinelUpdate::Writes(flip)).await.is_err() {
            return;
        }
    }
}

async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Asks one server `ROLE` until aborted, sending the moment of each `master` answer. A broken
/// connection is made again at once: Sentinel's failover disconnects the promoted server's
/// clients (`CLIENT KILL TYPE normal`), and its first `master` must not wait a period more.
async fn ask_server(
    probe: Arc<Probe>,
    addr: Addr,
    answers: mpsc::Sender<(Addr, SystemTime)>,
    mut writable: watch::Receiver<bool>,
) {
    let mut con = None;
    loop {
        let asked = tokio::time::Instant::now();
        let had = con.is_some();
        let (role, kept) = ask(&probe, &addr, con.take()).await;
        con = kept;
        if role.as_deref() == Some("master")
            && answers
                .send((addr.clone(), SystemTime::now()))
                .await
                .is_err()
        {
            return;
        }
        if had && con.is_none() {
            continue;
        }
        let every = if *writable.borrow() {
            WRITE_PROBE
        } else {
            OUTAGE_PROBE
        };
        // Missed ticks are skipped, not caught up; an outage starting wakes every server now.
        tokio::select! {
            _ = tokio::time::sleep_until((asked + every).max(tokio::time::Instant::now())) => {}
            r = writable.changed() => if r.is_err() { return },
        }
    }
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
