//! `SentinelView`: everything the pane shows, folded from `SentinelUpdate`s.
//!
//! Deterministic: time comes in with each update (`apply(update, now)`; events carry the moment
//! they arrived on the socket), so recorded updates replay to the same view.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::event::{Addr, InstanceKind, SentinelEvent};
use super::report::{ReplicationInfo, Topology};
use super::timeline::{FailoverClock, Timeline};

/// The role of a pod IP, for the pods pane's ROLE column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Master,
    Replica,
    Sentinel,
}

/// The state of our connection to one sentinel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting {
        attempt: u32,
    },
    Connected,
    /// Waiting `backoff` before attempt `attempt + 1`.
    Unreachable {
        attempt: u32,
        backoff: Duration,
        error: String,
    },
    /// The sentinel wants a password and none was given (front matter or `REDISCLI_AUTH`).
    AuthRequired,
    AuthFailed {
        error: String,
    },
    /// The sentinel does not monitor a master of that name.
    UnknownMaster,
}

/// What the monitor tells the view. `endpoint` names the sentinel connection it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentinelUpdate {
    Link {
        endpoint: String,
        state: LinkState,
    },
    /// The sentinel's own id (`SENTINEL MYID`), to match it in its peers' lists.
    Identity {
        endpoint: String,
        run_id: String,
    },
    Topology {
        endpoint: String,
        topology: Topology,
    },
    /// `at`: when the message arrived on our Pub/Sub socket.
    Event {
        endpoint: String,
        at: SystemTime,
        event: SentinelEvent,
    },
    /// `INFO replication` of the current master, or why it could not be read.
    MasterInfo {
        addr: Addr,
        info: Result<ReplicationInfo, String>,
    },
    /// A standing remark for the learner (e.g. other sentinels unreachable from here).
    Notice(Option<String>),
}

/// One sentinel connection and what it last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub endpoint: String,
    /// `S1`, `S2`, ... in order of discovery.
    pub label: String,
    pub state: LinkState,
    pub run_id: Option<String>,
    pub topology: Option<Topology>,
}

/// The overall state line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Connecting {
        attempt: u32,
    },
    Connected {
        up: usize,
        total: usize,
    },
    Unreachable {
        attempt: u32,
        backoff: Duration,
        error: String,
    },
    AllDown {
        total: usize,
        attempt: u32,
        backoff: Duration,
    },
    AuthRequired,
    AuthFailed {
        error: String,
    },
    UnknownMaster,
}

/// One sentinel's opinion of the master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinion {
    pub label: String,
    pub master: Addr,
    pub s_down: bool,
    pub o_down: bool,
    pub config_epoch: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelView {
    pub master_name: String,
    pub links: Vec<Link>,
    pub master_info: Option<(Addr, Result<ReplicationInfo, String>)>,
    pub timeline: Timeline,
    pub failover: FailoverClock,
    pub notice: Option<String>,
    /// The time of the last applied update.
    pub now: SystemTime,
}

impl SentinelView {
    pub fn new(master_name: impl Into<String>, now: SystemTime) -> Self {
        Self {
            master_name: master_name.into(),
            links: Vec::new(),
            master_info: None,
            timeline: Timeline::default(),
            failover: FailoverClock::default(),
            notice: None,
            now,
        }
    }

    pub fn apply(&mut self, update: SentinelUpdate, now: SystemTime) {
        self.now = now;
        match update {
            SentinelUpdate::Link { endpoint, state } => self.link_mut(&endpoint).state = state,
            SentinelUpdate::Identity { endpoint, run_id } => {
                self.link_mut(&endpoint).run_id = Some(run_id);
            }
            SentinelUpdate::Topology { endpoint, topology } => {
                self.link_mut(&endpoint).topology = Some(topology);
            }
            SentinelUpdate::Event {
                endpoint,
                at,
                event,
            } => self.event(&endpoint, at, event),
            SentinelUpdate::MasterInfo { addr, info } => self.master_info = Some((addr, info)),
            SentinelUpdate::Notice(n) => self.notice = n,
        }
    }

    fn link_mut(&mut self, endpoint: &str) -> &mut Link {
        let i = match self.links.iter().position(|l| l.endpoint == endpoint) {
            Some(i) => i,
            None => {
                self.links.push(Link {
                    endpoint: endpoint.to_string(),
                    label: format!("S{}", self.links.len() + 1),
                    state: LinkState::Connecting { attempt: 1 },
                    run_id: None,
                    topology: None,
                });
                self.links.len() - 1
            }
        };
        &mut self.links[i]
    }

    fn event(&mut self, endpoint: &str, at: SystemTime, event: SentinelEvent) {
        if event.is_internal() {
            return;
        }
        self.failover.observe(at, &event);
        let link = self.link_mut(endpoint);
        if let Some(t) = link.topology.as_mut() {
            patch_topology(t, &event);
        }
        let label = link.label.clone();
        self.timeline.push(at, &label, event);
    }

    /// The most up to date report: the highest config epoch among connected sentinels.
    pub fn reference(&self) -> Option<&Link> {
        let mut best: Option<&Link> = None;
        for l in self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Connected)
        {
            let Some(t) = &l.topology else { continue };
            let better = best
                .and_then(|b| b.topology.as_ref())
                .is_none_or(|bt| t.master.config_epoch > bt.master.config_epoch);
            if better {
                best = Some(l);
            }
        }
        best
    }

    pub fn topology(&self) -> Option<&Topology> {
        self.reference().and_then(|l| l.topology.as_ref())
    }

    /// Each connected sentinel's view of the master, in link order.
    pub fn opinions(&self) -> Vec<Opinion> {
        let connected = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Connected);
        connected
            .filter_map(|l| {
                let m = &l.topology.as_ref()?.master;
                Some(Opinion {
                    label: l.label.clone(),
                    master: m.addr.clone(),
                    s_down: m.flags.s_down(),
                    o_down: m.flags.o_down(),
                    config_epoch: m.config_epoch,
                })
            })
            .collect()
    }

    /// How the other sentinels see sentinel `run_id`: its announced address, and the freshest
    /// "last ok ping" reported by a sentinel we are still connected to (older ones are stale).
    pub fn peer_seen(&self, run_id: &str) -> Option<(Addr, Option<u64>)> {
        let mut found: Option<(Addr, Option<u64>)> = None;
        for l in &self.links {
            let live = l.state == LinkState::Connected;
            let peers = l.topology.iter().flat_map(|t| &t.sentinels);
            for p in peers.filter(|p| p.run_id == run_id) {
                let old = found.as_ref().and_then(|f| f.1);
                let new = p.last_ok_ping_ms.filter(|_| live);
                let ping = old.zip(new).map(|(a, b)| a.min(b)).or(old).or(new);
                found = Some((p.addr.clone(), ping));
            }
        }
        found
    }

    /// True when connected sentinels name different masters.
    pub fn split_view(&self) -> bool {
        let ops = self.opinions();
        ops.iter().any(|o| o.master != ops[0].master)
    }

    /// Replication lag in bytes of a replica behind the master, when both offsets are known.
    pub fn lag(&self, replica: &Addr, offset: Option<u64>) -> Option<u64> {
        let (addr, Ok(info)) = self.master_info.as_ref()? else {
            return None;
        };
        if self.topology().is_none_or(|t| t.master.addr != *addr) {
            return None;
        }
        let from_master = info
            .replicas
            .iter()
            .find(|(a, _)| a == replica)
            .map(|(_, o)| *o);
        Some(
            info.master_repl_offset
                .saturating_sub(from_master.or(offset)?),
        )
    }

    pub fn health(&self) -> Health {
        let total = self.links.len();
        let up = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Connected)
            .count();
        for l in &self.links {
            match &l.state {
                LinkState::AuthRequired => return Health::AuthRequired,
                LinkState::AuthFailed { error } => {
                    return Health::AuthFailed {
                        error: error.clone(),
                    };
                }
                LinkState::UnknownMaster => return Health::UnknownMaster,
                _ => {}
            }
        }
        if up > 0 {
            return Health::Connected { up, total };
        }
        match self.links.first().map(|l| &l.state) {
            None => Health::Connecting { attempt: 1 },
            Some(LinkState::Unreachable {
                attempt, backoff, ..
            }) if total > 1 => Health::AllDown {
                total,
                attempt: *attempt,
                backoff: *backoff,
            },
            Some(LinkState::Unreachable {
                attempt,
                backoff,
                error,
            }) => Health::Unreachable {
                attempt: *attempt,
                backoff: *backoff,
                error: error.clone(),
            },
            Some(LinkState::Connecting { attempt }) => Health::Connecting { attempt: *attempt },
            Some(_) => Health::Connecting { attempt: 1 },
        }
    }

    /// Role per IP. Sentinels first, then replicas, then the master, so a pod running both a
    /// sentinel and redis (the classic example's master pod) shows its redis role.
    pub fn roles(&self) -> HashMap<String, Role> {
        let mut roles = HashMap::new();
        for l in &self.links {
            // Only real addresses: a service-mode seed is named `svc/<name>:<port>`.
            if let Some((ip, _)) = l.endpoint.rsplit_once(':')
                && ip.parse::<std::net::IpAddr>().is_ok()
            {
                roles.insert(ip.to_string(), Role::Sentinel);
            }
            for p in l.topology.iter().flat_map(|t| &t.sentinels) {
                roles.insert(p.addr.ip.clone(), Role::Sentinel);
            }
        }
        if let Some(t) = self.topology() {
            for r in &t.replicas {
                roles.insert(r.addr.ip.clone(), Role::Replica);
            }
            roles.insert(t.master.addr.ip.clone(), Role::Master);
        }
        roles
    }
}

/// Reflects an event in the reporting sentinel's last topology until the next refresh arrives.
fn patch_topology(t: &mut Topology, event: &SentinelEvent) {
    if let Some((_, _, new)) = event.switch_master() {
        t.master.addr = new;
        t.master.flags.set("s_down", false);
        t.master.flags.set("o_down", false);
        return;
    }
    let Some(inst) = event.instance() else { return };
    let flag = match event.name.as_str() {
        "+sdown" | "-sdown" => "s_down",
        "+odown" | "-odown" => "o_down",
        _ => return,
    };
    let on = event.name.starts_with('+');
    match inst.kind {
        InstanceKind::Master if inst.addr == t.master.addr => t.master.flags.set(flag, on),
        InstanceKind::Replica => {
            for r in t.replicas.iter_mut().filter(|r| r.addr == inst.addr) {
                r.flags.set(flag, on);
            }
        }
        _ => {}
    }
}
