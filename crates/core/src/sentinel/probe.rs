//! Reaching the addresses sentinels report (directly, or through a port-forward to the pod
//! with that IP) and probing the current master's `INFO replication`.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify, mpsc, watch};

use super::client;
use super::event::Addr;
use super::model::SentinelUpdate;
use crate::kube::portforward::{self, Forward, Target};

/// Turns an address Sentinel reports into one we can dial: itself, or a forward to the pod.
///
/// On a cluster, a pod IP this host routes to on a link of its own (not by the default route
/// or a gateway: kubetutor running on a node, or inside the cluster's network) and that
/// accepts a connection is dialled directly. That is the address Sentinel itself uses, and it stays up while the pod
/// terminates, when the API server's forward to the pod already fails: the outage the pane
/// shows is then the servers' own, not the forward's. Any other pod IP goes through a forward.
pub struct Dialer {
    pub kube: Option<(kube::Client, String)>,
    pub forwards: Mutex<HashMap<Addr, Forward>>,
    /// Whether a routed pod IP is tried directly before a forward.
    try_direct: bool,
    /// Pod addresses found reachable directly.
    direct: Mutex<HashSet<Addr>>,
}

/// How long a direct connection to a routed pod IP may take before the forward is used.
const DIRECT_CONNECT: Duration = Duration::from_millis(300);

impl Dialer {
    pub fn new(kube: Option<(kube::Client, String)>, try_direct: bool) -> Self {
        Self {
            kube,
            try_direct,
            forwards: Mutex::default(),
            direct: Mutex::default(),
        }
    }

    pub async fn dial(&self, addr: &Addr) -> Result<(String, u16), String> {
        let Some((client, ns)) = &self.kube else {
            return Ok((addr.ip.clone(), addr.port));
        };
        if self.direct.lock().await.contains(addr) {
            return Ok((addr.ip.clone(), addr.port));
        }
        // Tried on every dial until it works (a pod still starting refuses), with no lock
        // held: another server's dial never waits for this one's.
        if self.try_direct && reachable_directly(addr).await {
            tracing::info!(%addr, "dialling the pod directly: this host routes to it");
            self.direct.lock().await.insert(addr.clone());
            return Ok((addr.ip.clone(), addr.port));
        }
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

/// Whether `addr` is on a network this host routes to itself and accepts a connection now.
async fn reachable_directly(addr: &Addr) -> bool {
    let Ok(ip) = addr.ip.parse::<Ipv4Addr>() else {
        return false;
    };
    let routes = tokio::fs::read_to_string("/proc/net/route")
        .await
        .unwrap_or_default();
    if !routed_not_by_default(&routes, ip) {
        return false;
    }
    let connect = tokio::net::TcpStream::connect((ip, addr.port));
    matches!(
        tokio::time::timeout(DIRECT_CONNECT, connect).await,
        Ok(Ok(_))
    )
}

/// Whether the most specific route to `ip` in `/proc/net/route` is a link of this host, not
/// the default route: a pod IP that would leave by the default gateway is not a pod here (and may
/// be somebody else's host with the same address).
fn routed_not_by_default(routes: &str, ip: Ipv4Addr) -> bool {
    // The kernel prints an address or mask as the native-endian u32 of its network-order bytes.
    let addr = |field: &str| {
        let raw = u32::from_str_radix(field, 16).ok()?;
        Some(u32::from(Ipv4Addr::from(raw.to_ne_bytes())))
    };
    let ip = u32::from(ip);
    routes
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (dest, mask) = (addr(f.get(1)?)?, addr(f.get(7)?)?);
            let flags = u32::from_str_radix(f.get(3)?, 16).ok()?;
            (ip & mask == dest).then_some((mask, flags))
        })
        .max_by_key(|(mask, _)| mask.count_ones())
        // On a link of this host: up, not through a gateway (a VPN's route over the same
        // addresses leads to somebody else's hosts), not a reject route.
        .is_some_and(|(mask, flags)| {
            mask != 0 && flags & RTF_UP != 0 && flags & (RTF_GATEWAY | RTF_REJECT) == 0
        })
}

const RTF_UP: u32 = 0x1;
const RTF_GATEWAY: u32 = 0x2;
const RTF_REJECT: u32 = 0x200;

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

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n\
        cni0\t0000F40A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n\
        down0\t0000A8C0\t00000000\t0000\t0\t0\t0\t0000FFFF\t0\t0\t0\n\
        tun0\t00000C0A\t0100000A\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

    #[test]
    fn only_an_address_routed_other_than_by_the_default_route_counts_as_reachable() {
        let routed = |ip: &str| routed_not_by_default(ROUTES, ip.parse().unwrap());
        assert!(routed("10.244.0.7"), "the pod network on cni0");
        assert!(routed("192.0.2.9"), "the host's own subnet");
        assert!(!routed("10.96.0.1"), "leaves by the default gateway");
        assert!(!routed("192.168.1.1"), "a route that is down");
        assert!(!routed("10.12.0.5"), "through a VPN's gateway");
        assert!(!routed_not_by_default("", "10.244.0.7".parse().unwrap()));
        assert!(!routed_not_by_default(
            "garbage\nx y z",
            "10.244.0.7".parse().unwrap()
        ));
    }
}
