//! Read-only questions the panes ask of a [`SentinelView`]: the reference report, each
//! sentinel's opinion, split views, lag, the overall state and the role of each IP.

use std::collections::HashMap;
use std::time::Duration;

use super::event::Addr;
use super::model::{Link, LinkState, Role, SentinelView};
use super::report::Topology;

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

impl SentinelView {
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
