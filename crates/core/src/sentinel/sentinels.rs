//! The sentinels themselves, one entry per sentinel identity (run id), whatever number of
//! connections reach it: the seed link through a service and a link found from a peer list
//! are the same sentinel once their run ids match. A sentinel that stopped answering while
//! the others flag it `s_down` (a deleted pod) is *gone*, though they keep counting it until
//! `SENTINEL RESET`.

use std::collections::BTreeMap;

use super::event::Addr;
use super::model::{Link, LinkState, SentinelView};
use super::report::Flags;

/// How one sentinel is doing, as far as we can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Connected,
    Connecting,
    /// Our link to it failed `attempt` times; the sentinels that list it still call it up.
    Down {
        attempt: u32,
    },
    /// It does not answer us and every connected sentinel that lists it flags it `s_down`
    /// (or none lists it any more).
    Gone,
    /// It answered but refused us (auth, unknown master): the text says why.
    Refused(String),
}

/// One sentinel as the pane lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentinel {
    /// Its run id, or the connection's endpoint while the run id is unknown.
    pub key: String,
    pub run_id: Option<String>,
    /// The address it announces (or the one we dial), when known.
    pub addr: Option<Addr>,
    /// By port when the ports tell the sentinels apart, else by IP (stable, not by discovery).
    pub label: String,
    pub presence: Presence,
    /// The seed link (through the lesson's service) reaches this sentinel right now.
    pub via_service: bool,
    /// The freshest "last ok ping" a connected peer reports for it.
    pub last_ok_ms: Option<u64>,
    /// Connected sentinels that list it as a peer, and how many of them flag it `s_down`.
    pub listed_by: usize,
    pub down_by: usize,
    /// Its own opinion of the master (flags of `SENTINEL MASTER`) while connected.
    pub sees: Option<Flags>,
}

#[derive(Default)]
struct Peer {
    addr: Option<Addr>,
    listed_by: usize,
    down_by: usize,
    last_ok_ms: Option<u64>,
}

impl SentinelView {
    /// Every sentinel once, sorted by address.
    pub fn sentinels(&self) -> Vec<Sentinel> {
        let peers = self.peer_reports();
        let mut by_key: BTreeMap<String, Vec<&Link>> = BTreeMap::new();
        for l in &self.links {
            by_key.entry(self.key_of(l, &peers)).or_default().push(l);
        }
        for id in peers.keys() {
            by_key.entry(id.clone()).or_default();
        }
        let any_connected = self.links.iter().any(|l| l.state == LinkState::Connected);
        let mut out: Vec<Sentinel> = by_key
            .into_iter()
            .map(|(key, links)| {
                let peer = peers.get(&key);
                let run_id = peer
                    .map(|_| key.clone())
                    .or_else(|| links.iter().find_map(|l| l.run_id.clone()));
                let addr = peer
                    .and_then(|p| p.addr.clone())
                    .or_else(|| links.iter().find_map(|l| endpoint_addr(&l.endpoint)));
                let presence = presence(&links, peer, any_connected && run_id.is_some());
                let sees = links
                    .iter()
                    .filter(|l| l.state == LinkState::Connected)
                    .find_map(|l| l.topology.as_ref())
                    .map(|t| t.master.flags.clone());
                Sentinel {
                    sees,
                    via_service: links
                        .iter()
                        .any(|l| l.endpoint.starts_with("svc/") && l.state == LinkState::Connected),
                    last_ok_ms: peer.and_then(|p| p.last_ok_ms),
                    listed_by: peer.map_or(0, |p| p.listed_by),
                    down_by: peer.map_or(0, |p| p.down_by),
                    label: String::new(),
                    key,
                    run_id,
                    addr,
                    presence,
                }
            })
            .collect();
        label_all(&mut out);
        out.sort_by_key(sort_key);
        out
    }

    /// The label of the sentinel a timeline entry credits (its key), for display.
    pub fn label_of<'a>(sentinels: &'a [Sentinel], key: &'a str) -> &'a str {
        sentinels
            .iter()
            .find(|s| s.key == key)
            .map_or(key, |s| s.label.as_str())
    }

    /// How many sentinels the sentinels themselves count (themselves included): the most any
    /// connected one reports. More than are alive until `SENTINEL RESET` forgets the gone.
    pub fn counted(&self) -> Option<u32> {
        self.links
            .iter()
            .filter(|l| l.state == LinkState::Connected)
            .filter_map(|l| l.topology.as_ref())
            .map(|t| t.master.num_other_sentinels + 1)
            .max()
    }

    /// The key a link's reports and events are credited to: its run id once known.
    fn key_of(&self, l: &Link, peers: &BTreeMap<String, Peer>) -> String {
        if let Some(id) = &l.run_id {
            return id.clone();
        }
        let addr = endpoint_addr(&l.endpoint);
        peers
            .iter()
            .find(|(_, p)| addr.is_some() && p.addr == addr)
            .map_or_else(|| l.endpoint.clone(), |(id, _)| id.clone())
    }

    /// What connected sentinels say of their peers, by run id.
    fn peer_reports(&self) -> BTreeMap<String, Peer> {
        let mut peers: BTreeMap<String, Peer> = BTreeMap::new();
        // One report per sentinel: the seed and a discovered link may reach the same one.
        let mut seen = std::collections::HashSet::new();
        let connected = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Connected)
            .filter(|l| seen.insert(l.run_id.as_deref().unwrap_or(&l.endpoint)));
        for t in connected.filter_map(|l| l.topology.as_ref()) {
            for p in &t.sentinels {
                let e = peers.entry(p.run_id.clone()).or_default();
                e.addr = Some(p.addr.clone());
                e.listed_by += 1;
                e.down_by += usize::from(p.flags.s_down());
                e.last_ok_ms = match (e.last_ok_ms, p.last_ok_ping_ms) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        // A sentinel we are connected to is not a stranger even if nobody lists it yet.
        for l in &self.links {
            if let (Some(id), Some(addr)) = (&l.run_id, endpoint_addr(&l.endpoint)) {
                peers
                    .entry(id.clone())
                    .or_default()
                    .addr
                    .get_or_insert(addr);
            }
        }
        peers.retain(|_, p| p.addr.is_some());
        peers
    }
}

/// `ip:port` endpoints are addresses; `svc/name:port` (the seed through a service) is not.
fn endpoint_addr(endpoint: &str) -> Option<Addr> {
    let (ip, port) = endpoint.rsplit_once(':')?;
    ip.trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .ok()?;
    Addr::parse(ip.trim_matches(['[', ']']), port)
}

fn presence(links: &[&Link], peer: Option<&Peer>, can_judge: bool) -> Presence {
    if links.iter().any(|l| l.state == LinkState::Connected) {
        return Presence::Connected;
    }
    let flagged = peer.is_none_or(|p| p.listed_by == 0 || p.down_by == p.listed_by);
    if can_judge && flagged {
        return Presence::Gone;
    }
    let mut best = Presence::Connecting;
    for l in links {
        match &l.state {
            LinkState::Unreachable { attempt, .. } => best = Presence::Down { attempt: *attempt },
            LinkState::AuthRequired => return Presence::Refused("auth required".into()),
            LinkState::AuthFailed { .. } => return Presence::Refused("auth failed".into()),
            LinkState::UnknownMaster => return Presence::Refused("unknown master".into()),
            LinkState::Connecting { .. } | LinkState::Connected => {}
        }
    }
    best
}

/// Ports when they are all different (loopback lessons), else IPs, else both.
fn label_all(all: &mut [Sentinel]) {
    let addrs: Vec<&Addr> = all.iter().filter_map(|s| s.addr.as_ref()).collect();
    let distinct = |f: fn(&Addr) -> String| {
        let mut v: Vec<String> = addrs.iter().map(|a| f(a)).collect();
        v.sort();
        v.dedup();
        v.len() == addrs.len()
    };
    let by: fn(&Addr) -> String = if distinct(|a| a.port.to_string()) {
        |a| a.port.to_string()
    } else if distinct(|a| a.ip.clone()) {
        |a| a.ip.clone()
    } else {
        |a| a.to_string()
    };
    for s in all.iter_mut() {
        s.label = match &s.addr {
            Some(a) => by(a),
            None => "via service".into(),
        };
    }
}

fn sort_key(s: &Sentinel) -> (bool, Option<std::net::IpAddr>, String, u16) {
    let addr = s.addr.as_ref();
    (
        addr.is_none(),
        addr.and_then(|a| a.ip.parse().ok()),
        addr.map_or_else(|| s.key.clone(), |a| a.ip.clone()),
        addr.map_or(0, |a| a.port),
    )
}
