//! Reaching the addresses sentinels report (directly, or through a port-forward to the pod
//! with that IP) and probing the current master's `INFO replication`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify, mpsc, watch};

use super::client;
use super::event::Addr;
use super::model::SentinelUpdate;
use crate::kube::portforward::{self, Forward, Target};

/// Turns an address Sentinel reports into one we can dial: itself, or a forward to the pod.
pub struct Dialer {
    pub kube: Option<(kube::Client, String)>,
    pub forwards: Mutex<HashMap<Addr, Forward>>,
}

impl Dialer {
    pub async fn dial(&self, addr: &Addr) -> Result<(String, u16), String> {
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

/// Reads the current master's `INFO replication` on every refresh and after every event.
pub struct Probe {
    pub dialer: Arc<Dialer>,
    pub password: Option<String>,
}

pub async fn probe_master(
    probe: Arc<Probe>,
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

pub(super) async fn connect_master(
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
