//! Read-only questions the panes ask of a [`SentinelView`]: the reference report, each
//! sentinel's opinion, split views, lag, the overall state and the role of each IP.

use std::collections::HashMap;
use std::time::Duration;

use super::event::Addr;
use super::model::{Link, LinkState, Role, SentinelView};
use super::report::Topology;
use super::sentinels::Presence;

/// The overall state line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Connecting {
        attempt: u32,
    },
    /// No sentinel ever answered: the lesson has not started them yet (not an error).
    Waiting {
        target: String,
    },
    /// `up` of the `total` sentinels that are not gone answer us; `gone` stopped answering
    /// and the others flag them `s_down`.
    Connected {
        up: usize,
        total: usize,
        gone: usize,
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

/// Replicas this close to the master are in sync: Sentinel's own hello messages (a few
/// hundred bytes every 2 s, replicated like any write) keep any reading above zero.
pub const LAG_NOISE: u64 = 1024;

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

    /// Each connected sentinel's view of the master, once per sentinel, in link order.
    pub fn opinions(&self) -> Vec<Opinion> {
        let sentinels = self.sentinels();
        let mut seen = std::collections::HashSet::new();
        let connected = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Connected);
        connected
            .filter_map(|l| {
                let m = &l.topology.as_ref()?.master;
                let key = l.run_id.clone().unwrap_or_else(|| l.endpoint.clone());
                if !seen.insert(key.clone()) {
                    return None;
                }
                Some(Opinion {
                    label: Self::label_of(&sentinels, &key).to_string(),
                    master: m.addr.clone(),
                    s_down: m.flags.s_down(),
                    o_down: m.flags.o_down(),
                    config_epoch: m.config_epoch,
                })
            })
            .collect()
    }

    /// True when connected sentinels name different masters.
    pub fn split_view(&self) -> bool {
        let ops = self.opinions();
        ops.iter().any(|o| o.master != ops[0].master)
    }

    /// Replication lag in bytes of a replica behind the master, like with like: both offsets
    /// from the same `INFO replication` of the master (a sentinel's replica offset is up to a
    /// refresh old, and compared with a fresh master offset it showed lag that was not there).
    /// `None` when the master does not list the replica.
    pub fn lag(&self, replica: &Addr) -> Option<u64> {
        let (addr, Ok(info)) = self.master_info.as_ref()? else {
            return None;
        };
        if self.topology().is_none_or(|t| t.master.addr != *addr) {
            return None;
        }
        let (_, acked) = info.replicas.iter().find(|(a, _)| a == replica)?;
        Some(info.master_repl_offset.saturating_sub(*acked))
    }

    /// A server answers `ROLE` as master but the sentinels still name another: their view
    /// lags (a failover between the promotion and `+switch-master`). `(answering, named)`.
    pub fn lagging_view(&self) -> Option<(&Addr, &Addr)> {
        let answering = self.answering_master.as_ref()?;
        let named = &self.topology()?.master.addr;
        (self.writable == Some(true) && answering != named).then_some((answering, named))
    }

    pub fn health(&self) -> Health {
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
        let sentinels = self.sentinels();
        let count = |p: Presence| sentinels.iter().filter(|s| s.presence == p).count();
        let (up, gone) = (count(Presence::Connected), count(Presence::Gone));
        let total = sentinels.len() - gone;
        if up > 0 {
            return Health::Connected { up, total, gone };
        }
        if let Some(first) = self.links.first().filter(|_| !self.ever_connected) {
            let target = match first.endpoint.strip_prefix("svc/") {
                Some(svc) => format!("service {svc}"),
                None => first.endpoint.clone(),
            };
            return Health::Waiting { target };
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

    /// The role of the server or sentinel this machine runs on `port` (a loopback address in
    /// the view): what a local background job is, seen from Sentinel.
    pub fn local_role(&self, port: u16) -> Option<Role> {
        let local = |ip: &str| {
            ip == "localhost"
                || ip
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|a| a.is_loopback())
        };
        if let Some(t) = self.topology() {
            if local(&t.master.addr.ip) && t.master.addr.port == port {
                return Some(Role::Master);
            }
            if t.replicas
                .iter()
                .any(|r| local(&r.addr.ip) && r.addr.port == port)
            {
                return Some(Role::Replica);
            }
        }
        let sentinel = self.links.iter().any(|l| {
            l.endpoint
                .rsplit_once(':')
                .is_some_and(|(ip, p)| local(ip) && p.parse() == Ok(port))
        }) || self
            .links
            .iter()
            .flat_map(|l| l.topology.iter().flat_map(|t| &t.sentinels))
            .any(|p| local(&p.addr.ip) && p.addr.port == port);
        sentinel.then_some(Role::Sentinel)
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
